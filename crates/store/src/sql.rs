//! SQL built at run time: `$n` placeholders numbered as arguments are pushed, which both backends accept.

/// A text or integer argument of a query built at run time.
#[derive(Debug, Clone)]
pub(crate) enum Arg {
    I64(i64),
    Text(String),
    OptI64(Option<i64>),
    OptText(Option<String>),
}

/// SQL with `$n` placeholders numbered as they are pushed.
#[derive(Default)]
pub(crate) struct SqlBuilder {
    pub sql: String,
    pub args: Vec<Arg>,
}

impl SqlBuilder {
    pub fn new(sql: &str) -> Self {
        Self { sql: sql.to_string(), args: Vec::new() }
    }

    pub fn push(&mut self, s: &str) -> &mut Self {
        self.sql.push_str(s);
        self
    }

    pub fn bind(&mut self, a: Arg) -> &mut Self {
        self.args.push(a);
        self.sql.push_str(&format!("${}", self.args.len()));
        self
    }

    pub fn query(&self) -> sqlx::query::Query<'_, sqlx::Any, sqlx::any::AnyArguments<'_>> {
        let mut q = sqlx::query(&self.sql);
        for a in &self.args {
            q = match a {
                Arg::I64(v) => q.bind(*v),
                Arg::Text(v) => q.bind(v.clone()),
                Arg::OptI64(v) => q.bind(*v),
                Arg::OptText(v) => q.bind(v.clone()),
            };
        }
        q
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::pow2_chunks;

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
