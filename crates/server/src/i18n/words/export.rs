//! The words of the exports' sheets and headings.

catalogue! {}
