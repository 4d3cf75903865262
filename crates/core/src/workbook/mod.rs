//! The consumer-protection workbook (DESIGN §4): the centre's registers of everything besides
//! complaints — fraud stopped at the counter, reviews of products before launch, education, home
//! services, weekly lobby reports, listening reviews, suggestions, incidents. Each register's typed
//! record and its rules live in its own module; what they share (closed code lists, customer groups)
//! lives here.

pub mod fraud;

/// A closed list of codes: the enum, `ALL`, `as_str`, and `parse`, which refuses an unknown code
/// naming the choices. Codes are what the API, SQL and exports carry; names are in the server's words.
#[macro_export]
macro_rules! choices {
    ($(#[$m:meta])* $vis:vis enum $name:ident { $($(#[$vm:meta])* $variant:ident = $code:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
        $vis enum $name {
            $($(#[$vm])* #[serde(rename = $code)] $variant),+
        }

        impl $name {
            pub const ALL: [Self; [$($code),+].len()] = [$(Self::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $code),+
                }
            }

            pub fn parse(field: &str, s: &str) -> Result<Self, $crate::FieldError> {
                let s = s.trim();
                Self::ALL.into_iter().find(|k| k.as_str() == s).ok_or_else(|| {
                    let all: Vec<&str> = Self::ALL.iter().map(|k| k.as_str()).collect();
                    $crate::FieldError::because(field, "field.unknown_choice")
                        .with("value", s)
                        .with("choices", all.join(", "))
                })
            }
        }
    };
}

choices! {
    /// The groups a record's customers or audience belong to (an education event's audience, a
    /// fraud interception's customer).
    pub enum CustomerGroup {
        /// 老年人
        Elderly = "elderly",
        /// 青少年
        Young = "young",
        /// 农村居民
        Rural = "rural",
        /// 新市民（务工人员）
        MigrantWorker = "migrant_worker",
        /// 残障人士
        Disabled = "disabled",
        /// 少数民族
        Minority = "minority",
        /// 其他
        Other = "other",
    }
}

/// Codes of `field` parsed, each fault told with its position (`field[2]`), without repeats and in
/// list order; at most `max`.
pub fn code_list<T: Copy + Ord>(
    field: &str,
    given: &[String],
    max: usize,
    parse: impl Fn(&str, &str) -> Result<T, crate::FieldError>,
) -> Result<Vec<T>, Vec<crate::FieldError>> {
    if given.len() > max {
        return Err(vec![crate::FieldError::because(field, "field.too_many").with("max", max)]);
    }
    let mut faults = Vec::new();
    let mut out = Vec::new();
    for (n, g) in given.iter().enumerate() {
        match parse(&format!("{field}[{n}]"), g) {
            Ok(v) => out.push(v),
            Err(e) => faults.push(e),
        }
    }
    if !faults.is_empty() {
        return Err(faults);
    }
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_code_list_is_parsed_whole_or_each_bad_code_told_by_position() {
        let given: Vec<String> = ["rural", "elderly", "rural"].map(String::from).to_vec();
        let groups = code_list("customer_groups", &given, 7, CustomerGroup::parse).unwrap();
        assert_eq!(groups, [CustomerGroup::Elderly, CustomerGroup::Rural]);
        let bad: Vec<String> = ["elderly", "aliens", ""].map(String::from).to_vec();
        let f = code_list("customer_groups", &bad, 7, CustomerGroup::parse).unwrap_err();
        let fields: Vec<&str> = f.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["customer_groups[1]", "customer_groups[2]"]);
        assert_eq!(f[0].reason, "field.unknown_choice");
        let many: Vec<String> = vec!["elderly".into(); 8];
        assert_eq!(code_list("g", &many, 7, CustomerGroup::parse).unwrap_err()[0].reason, "field.too_many");
    }

    #[test]
    fn codes_round_trip_through_their_text_and_serde() {
        for g in CustomerGroup::ALL {
            assert_eq!(CustomerGroup::parse("g", g.as_str()).unwrap(), g);
            assert_eq!(serde_json::to_value(g).unwrap(), serde_json::json!(g.as_str()));
        }
    }
}
