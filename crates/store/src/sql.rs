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
