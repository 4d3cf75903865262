//! SQL built at run time: `$n` placeholders numbered as arguments are pushed, which both backends accept.

/// A text or integer argument of a query built at run time.
#[derive(Debug, Clone)]
pub(crate) enum Arg {
    I64(i64),
    Text(String),
    OptI64(Option<i64>),
    OptText(Option<String>),
}

impl Arg {
    /// Binds this argument as the query's next.
    pub fn bind_to<'q>(
        self,
        q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
        match self {
            Arg::I64(v) => q.bind(v),
            Arg::Text(v) => q.bind(v),
            Arg::OptI64(v) => q.bind(v),
            Arg::OptText(v) => q.bind(v),
        }
    }
}

/// SQL with `$n` placeholders numbered as they are pushed.
#[derive(Default)]
pub(crate) struct SqlBuilder {
    pub sql: String,
    pub args: Vec<Arg>,
    /// Placeholders written as `?` (SQLite) rather than `$n`.
    anonymous: bool,
}

impl SqlBuilder {
    pub fn new(sql: &str) -> Self {
        Self { sql: sql.to_string(), args: Vec::new(), anonymous: false }
    }

    /// A builder whose placeholders are what `conn`'s backend binds fastest: anonymous on SQLite
    /// (see `anonymous_on_sqlite`), numbered elsewhere. For statements with many arguments.
    pub fn on(conn: &sqlx::AnyConnection, sql: &str) -> Self {
        Self { anonymous: conn.backend_name() == "SQLite", ..Self::new(sql) }
    }

    /// A builder with anonymous placeholders when `anonymous` (SQLite), for statements built away from
    /// their connection (see [`Ahead`]).
    pub fn anonymous_if(anonymous: bool, sql: &str) -> Self {
        Self { anonymous, ..Self::new(sql) }
    }

    /// The text with its arguments bound, to be run later (by `sqlx::query_with`).
    pub fn into_bound(self) -> Result<(String, sqlx::any::AnyArguments<'static>), crate::StoreError> {
        use sqlx::Arguments as _;
        let mut a = sqlx::any::AnyArguments::default();
        for arg in self.args {
            match arg {
                Arg::I64(v) => a.add(v),
                Arg::Text(v) => a.add(v),
                Arg::OptI64(v) => a.add(v),
                Arg::OptText(v) => a.add(v),
            }
            .map_err(|e| crate::StoreError::Encode(e.to_string()))?;
        }
        Ok((self.sql, a))
    }

    pub fn push(&mut self, s: &str) -> &mut Self {
        self.sql.push_str(s);
        self
    }

    pub fn bind(&mut self, a: Arg) -> &mut Self {
        use std::fmt::Write as _;
        self.args.push(a);
        if self.anonymous {
            self.sql.push('?');
        } else {
            let _ = write!(self.sql, "${}", self.args.len());
        }
        self
    }

    /// On SQLite, turns the numbered placeholders into anonymous ones (`?`), which bind in order. For
    /// statements with many arguments: SQLite looks up a numbered parameter's name by a linear
    /// search, so binding n of them costs n², and a multi-row insert of thousands of values spends
    /// its time there. Each `$n` must appear once and in order, as `bind` writes them.
    pub fn anonymous_on_sqlite(&mut self, conn: &sqlx::AnyConnection) -> &mut Self {
        if self.anonymous || conn.backend_name() != "SQLite" {
            return self;
        }
        // bytes, not chars: '$', digits and the quote are ASCII, so no UTF-8 sequence is split
        let src = self.sql.as_bytes();
        let mut out = Vec::with_capacity(src.len());
        let (mut i, mut expected, mut in_string) = (0usize, 1usize, false);
        while i < src.len() {
            let c = src[i];
            if c == b'\'' {
                in_string = !in_string;
            }
            if c == b'$' && !in_string && src.get(i + 1).is_some_and(u8::is_ascii_digit) {
                let digits = src[i + 1..].iter().take_while(|d| d.is_ascii_digit()).count();
                let n = std::str::from_utf8(&src[i + 1..i + 1 + digits]).ok().and_then(|n| n.parse::<usize>().ok());
                if n != Some(expected) {
                    return self; // not in bind order: leave the statement as it is
                }
                expected += 1;
                out.push(b'?');
                i += 1 + digits;
            } else {
                out.push(c);
                i += 1;
            }
        }
        if expected == self.args.len() + 1
            && let Ok(out) = String::from_utf8(out)
        {
            self.sql = out;
        }
        self
    }

    /// The query with its arguments, which it takes: a builder is run once.
    pub fn query(&mut self) -> sqlx::query::Query<'_, sqlx::Any, sqlx::any::AnyArguments<'_>> {
        let mut q = sqlx::query(&self.sql);
        for a in std::mem::take(&mut self.args) {
            q = a.bind_to(q);
        }
        q
    }
}

/// Statements built and bound ahead by a writer's caller, on its own task, so the writer only runs
/// them. Taken once: a writer that finds them taken (a batch run again job by job) builds its own.
pub(crate) struct Ahead(std::sync::Mutex<Option<std::vec::IntoIter<(String, sqlx::any::AnyArguments<'static>)>>>);

impl Ahead {
    pub fn new(statements: Vec<(String, sqlx::any::AnyArguments<'static>)>) -> Self {
        Self(std::sync::Mutex::new(Some(statements.into_iter())))
    }

    pub fn none() -> Self {
        Self(std::sync::Mutex::new(None))
    }

    /// The statements, in the order they were built; none if already taken.
    pub fn take(&self) -> Option<std::vec::IntoIter<(String, sqlx::any::AnyArguments<'static>)>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).take()
    }
}

/// Splits `rows` into chunks whose sizes are powers of two (at most 256), largest first. A multi-row
/// INSERT's text depends on its row count, and each distinct text is prepared and cached per
/// connection; with power-of-two chunks a handful of texts serve every batch size.
pub(crate) fn pow2_chunks<T>(mut rows: &[T]) -> impl Iterator<Item = &[T]> {
    std::iter::from_fn(move || {
        if rows.is_empty() {
            return None;
        }
        let size = (1usize << rows.len().ilog2()).min(256);
        let (head, tail) = rows.split_at(size);
        rows = tail;
        Some(head)
    })
}

/// Splits `rows` into chunks of at most `cap` (a power of two), each with the power of two it is
/// padded to: `(chunk, padded)`. For statements that may repeat a row without changing what they do
/// (an `IN` list, an `INSERT … ON CONFLICT DO NOTHING` of rows known to be new): the caller repeats
/// the chunk's last row up to `padded`, so a request of any size is one statement of a handful of
/// texts, not one per binary digit of its size.
pub(crate) fn padded_chunks<T>(mut rows: &[T], cap: usize) -> impl Iterator<Item = (&[T], usize)> {
    debug_assert!(cap.is_power_of_two());
    std::iter::from_fn(move || {
        if rows.is_empty() {
            return None;
        }
        let (head, tail) = rows.split_at(rows.len().min(cap));
        rows = tail;
        Some((head, head.len().next_power_of_two()))
    })
}

/// The chunk's rows, then its last repeated up to `padded` (see [`padded_chunks`]).
pub(crate) fn padded<T>(chunk: &[T], padded: usize) -> impl Iterator<Item = &T> {
    chunk.iter().chain(chunk.last().into_iter().cycle().take(padded.saturating_sub(chunk.len())))
}

/// `(a, b, …)`: `args` bound, as an `IN` list.
pub(crate) fn in_list(b: &mut SqlBuilder, args: impl Iterator<Item = Arg>) {
    b.push("(");
    for (n, a) in args.enumerate() {
        if n > 0 {
            b.push(", ");
        }
        b.bind(a);
    }
    b.push(")");
}

/// `(a, b, …)` padded to a power of two by repeating the last, so lists of many lengths share a few
/// statement texts; `('')` when empty, which matches none of the keys it is used for.
pub(crate) fn padded_in_list(b: &mut SqlBuilder, args: &[Arg]) {
    if args.is_empty() {
        in_list(b, std::iter::once(Arg::Text(String::new())));
    } else {
        in_list(b, padded(args, args.len().next_power_of_two()).cloned());
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::{padded, padded_chunks, pow2_chunks};

    #[test]
    fn padded_chunks_cover_every_row_once_padded_by_the_last() {
        for n in 0..2100usize {
            let rows: Vec<usize> = (0..n).collect();
            let chunks: Vec<(&[usize], usize)> = padded_chunks(&rows, 1024).collect();
            assert_eq!(chunks.len(), n.div_ceil(1024));
            let mut seen = Vec::new();
            for (c, p) in &chunks {
                assert!(p.is_power_of_two() && *p <= 1024 && *p >= c.len() && *p < 2 * c.len());
                let all: Vec<usize> = padded(c, *p).copied().collect();
                assert_eq!(all.len(), *p);
                assert_eq!(&all[..c.len()], *c);
                assert!(all[c.len()..].iter().all(|x| Some(x) == c.last()));
                seen.extend_from_slice(c);
            }
            assert_eq!(seen, rows);
        }
    }

    #[test]
    fn numbered_placeholders_become_anonymous_only_when_bound_in_order() {
        use super::{Arg, SqlBuilder};
        sqlx::any::install_default_drivers();
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            use sqlx::Connection;
            let mut conn = sqlx::AnyConnection::connect("sqlite::memory:").await.unwrap();
            let mut b = SqlBuilder::new("SELECT ");
            b.bind(Arg::I64(2)).push(" + ").bind(Arg::I64(3)).push(", '$9 stays'");
            b.anonymous_on_sqlite(&conn);
            assert_eq!(b.sql, "SELECT ? + ?, '$9 stays'");
            let (sum, text): (i64, String) = sqlx::query_as_with(&b.sql, {
                let mut a = sqlx::any::AnyArguments::default();
                use sqlx::Arguments;
                a.add(2i64).unwrap();
                a.add(3i64).unwrap();
                a
            })
            .fetch_one(&mut conn)
            .await
            .unwrap();
            assert_eq!((sum, text.as_str()), (5, "$9 stays"));
            let mut reused = SqlBuilder::new("SELECT $1, $1");
            reused.args.push(Arg::I64(1));
            reused.anonymous_on_sqlite(&conn);
            assert_eq!(reused.sql, "SELECT $1, $1", "a placeholder used twice is left alone");
        });
    }

    #[test]
    fn chunks_are_powers_of_two_and_cover_every_row_once() {
        for n in 0..700usize {
            let rows: Vec<usize> = (0..n).collect();
            let chunks: Vec<&[usize]> = pow2_chunks(&rows).collect();
            assert!(chunks.iter().all(|c| c.len().is_power_of_two() && c.len() <= 256));
            assert_eq!(chunks.concat(), rows);
        }
    }
}
