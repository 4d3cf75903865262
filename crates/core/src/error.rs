//! The field error every parse function returns.

/// Input that failed to parse: which field, and why. The reason is a code — a key of the server's
/// text catalogue (`field.too_long`) — with the values its words fill in (`max` = 100); core never
/// words it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}{}", self.args.iter().map(|(k, v)| format!(" {k}={}", v.text())).collect::<String>())]
pub struct FieldError {
    pub field: String,
    pub reason: &'static str,
    pub args: Vec<(&'static str, Arg)>,
}

/// A value a reason's words fill in: text as it is, or a word of the catalogue (a column's name,
/// an org unit kind) to be said in the reader's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    Text(String),
    Word(String),
}

impl Arg {
    /// The text, or the word's key.
    pub fn text(&self) -> &str {
        match self {
            Arg::Text(s) | Arg::Word(s) => s,
        }
    }
}

impl FieldError {
    /// `field` is wrong for `reason`, a key of the text catalogue.
    pub fn because(field: impl Into<String>, reason: &'static str) -> Self {
        Self { field: field.into(), reason, args: Vec::new() }
    }

    /// The value of the reason's placeholder `name`.
    pub fn with(mut self, name: &'static str, value: impl std::fmt::Display) -> Self {
        self.args.push((name, Arg::Text(value.to_string())));
        self
    }

    /// The placeholder `name` filled in with the catalogue's word for `key`, in the reader's language
    /// (`unit_kind.branch`, `import.column.customers`).
    pub fn with_word(mut self, name: &'static str, key: impl Into<String>) -> Self {
        self.args.push((name, Arg::Word(key.into())));
        self
    }

    /// The value given for `name`, if any.
    pub fn arg(&self, name: &str) -> Option<&str> {
        self.args.iter().find(|(k, _)| *k == name).map(|(_, v)| v.text())
    }

    /// The same error under a nested field name, e.g. `phone` → `complainant.phone`.
    pub fn within(mut self, parent: &str) -> Self {
        self.field = format!("{parent}.{}", self.field);
        self
    }
}

/// The value of a check that may fail, its fault kept with the others: how a form's every fault is
/// found at once instead of one per submission.
pub fn keep<T>(faults: &mut Vec<FieldError>, r: Result<T, FieldError>) -> Option<T> {
    match r {
        Ok(v) => Some(v),
        Err(e) => {
            faults.push(e);
            None
        }
    }
}
