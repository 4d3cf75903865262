//! The consumer-protection workbook (DESIGN §4): the centre's registers of everything besides
//! complaints — fraud stopped at the counter, reviews of products before launch, education, home
//! services, weekly lobby reports, listening reviews, suggestions, incidents. Each register's typed
//! record and its rules live in its own module; what they share (closed code lists, customer groups)
//! lives here.

pub mod fraud;
pub mod review;
pub mod weekly;

use crate::error::FieldError;
use crate::text::{bounded, limits};
use crate::time::Instant;

/// A closed list of codes: the enum, `ALL`, `as_str`, and `parse`, which refuses an unknown code
/// naming the choices. Codes are what the API, SQL and exports carry; names are in the server's words.
#[macro_export]
macro_rules! choices {
    ($(#[$m:meta])* $vis:vis enum $name:ident { $($(#[$vm:meta])* $variant:ident = $code:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
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

        // Written by hand from the codes: the derive does not see a `rename` whose literal comes
        // through a macro, and would document the Rust names instead of the codes on the wire.
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some(Self::ALL.iter().map(|k| k.as_str())))
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {}
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

choices! {
    /// The registers of the workbook; each record belongs to one.
    pub enum Register {
        /// 诈骗堵截
        FraudInterception = "fraud_interception",
        /// 消保审查
        CpReview = "cp_review",
        /// 金融知识宣教
        EducationEvent = "education_event",
        /// 上门服务 / 绿色通道
        HomeService = "home_service",
        /// 大堂周报
        WeeklyReport = "weekly_report",
        /// 管理者听取投诉录音
        ListeningReview = "listening_review",
        /// 合理化建议
        Suggestion = "suggestion",
        /// 突发事件
        Incident = "incident",
    }
}

/// The local month of an instant as yyyymm: the month a record counts in.
pub fn month_of(at: Instant) -> i32 {
    use chrono::Datelike;
    let d = crate::time::local_date(at);
    d.year() * 100 + d.month() as i32
}

/// The bank's rules for the workbook.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkbookRules {
    /// Hours after a record is made in which it may be corrected without a reason; later edits
    /// need one. Every edit keeps the earlier version either way.
    pub edit_grace_hours: u32,
    /// Consumer-protection reviews: reviewers, the steps' periods, the monthly sampling's share.
    #[serde(default)]
    pub reviews: review::ReviewRules,
    /// Weekly lobby reports: when each week's is due.
    #[serde(default)]
    pub weekly: weekly::WeeklyRules,
}

impl Default for WorkbookRules {
    fn default() -> Self {
        Self { edit_grace_hours: 24, reviews: review::ReviewRules::default(), weekly: weekly::WeeklyRules::default() }
    }
}

/// Longest edit grace period a bank may set: 30 days.
pub const MAX_EDIT_GRACE_HOURS: u32 = 720;

impl WorkbookRules {
    /// Every fault at once.
    pub fn check(&self) -> Result<(), Vec<FieldError>> {
        let mut f = Vec::new();
        if self.edit_grace_hours > MAX_EDIT_GRACE_HOURS {
            f.push(
                FieldError::because("edit_grace_hours", "field.between")
                    .with("min", 0)
                    .with("max", MAX_EDIT_GRACE_HOURS)
                    .with("value", self.edit_grace_hours),
            );
        }
        f.extend(self.reviews.check());
        f.extend(self.weekly.check());
        if f.is_empty() { Ok(()) } else { Err(f) }
    }

    /// The reason an edit of a record made at `created_at` carries: required once the grace period
    /// has passed, optional (and kept when given) before.
    pub fn edit_reason(
        &self,
        created_at: Instant,
        now: Instant,
        reason: Option<&str>,
    ) -> Result<Option<String>, FieldError> {
        let given = reason.map(str::trim).filter(|r| !r.is_empty());
        let late = now - created_at > chrono::Duration::hours(i64::from(self.edit_grace_hours));
        match given {
            Some(r) => bounded("reason", r, 1, limits::REASON).map(Some),
            None if late => {
                Err(FieldError::because("reason", "field.reason_after_grace").with("hours", self.edit_grace_hours))
            }
            None => Ok(None),
        }
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
    fn an_edit_after_the_grace_period_needs_a_reason() {
        let rules = WorkbookRules::default();
        let made = chrono::DateTime::parse_from_rfc3339("2026-12-01T09:00:00+08:00").unwrap().to_utc();
        let soon = made + chrono::Duration::hours(23);
        let late = made + chrono::Duration::hours(25);
        assert_eq!(rules.edit_reason(made, soon, None).unwrap(), None);
        assert_eq!(rules.edit_reason(made, soon, Some(" 笔误 ")).unwrap().as_deref(), Some("笔误"));
        let e = rules.edit_reason(made, late, Some("  ")).unwrap_err();
        assert_eq!((e.field.as_str(), e.reason), ("reason", "field.reason_after_grace"));
        assert_eq!(rules.edit_reason(made, late, Some("金额录错")).unwrap().as_deref(), Some("金额录错"));
        assert!(
            WorkbookRules { edit_grace_hours: 0, ..Default::default() }
                .edit_reason(made, made + chrono::Duration::seconds(1), None)
                .is_err()
        );
        assert!(WorkbookRules { edit_grace_hours: 721, ..Default::default() }.check().is_err());
    }

    #[test]
    fn a_choice_list_documents_the_codes_it_carries_on_the_wire() {
        let schema = serde_json::to_value(<CustomerGroup as utoipa::PartialSchema>::schema()).unwrap();
        let documented: Vec<&str> = schema["enum"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
        let on_the_wire: Vec<String> =
            CustomerGroup::ALL.iter().map(|k| serde_json::to_value(k).unwrap().as_str().unwrap().to_owned()).collect();
        assert_eq!(documented, on_the_wire);
        assert!(documented.contains(&"migrant_worker"));
        assert_eq!(schema["type"], "string");
    }

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
