//! Service quality (DESIGN §3): counter ratings from the evaluators, queue tickets from the queue
//! system, and the figures read from them. Pure: parsing each row into what may be stored, the
//! burst rule, the wait and its overtime, and the counters a row adds to its units' rollups.

pub mod bulletin;
pub mod inspection;
pub mod measure;
pub mod queue;
pub mod rating;
pub mod record;
pub mod rectification;

/// Most rows in one request from a device or a queue system.
pub const MAX_BATCH: usize = 5000;

/// Longest device, window, ticket number or business code.
pub const MAX_CODE: usize = 64;

/// The bank's service rules: when a device's ratings come too fast to be customers', and when a
/// wait is overtime.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceRules {
    /// A rating sooner than this after its device's previous one is flagged as a burst.
    pub min_rating_interval_seconds: i64,
    pub overtime: queue::Thresholds,
    /// An outlet whose overtime-wait ratio of a day exceeds this percentage is flagged that day.
    pub overtime_target_percent: i64,
    /// The monthly bulletin's formula, minimum volumes and what best and worst earn.
    #[serde(default)]
    pub bulletin: bulletin::BulletinRules,
}

impl Default for ServiceRules {
    fn default() -> Self {
        Self {
            min_rating_interval_seconds: 20,
            overtime: queue::Thresholds::default(),
            overtime_target_percent: 10,
            bulletin: bulletin::BulletinRules::default(),
        }
    }
}

impl ServiceRules {
    pub fn min_rating_interval(&self) -> chrono::Duration {
        chrono::Duration::seconds(self.min_rating_interval_seconds)
    }
}

impl ServiceRules {
    /// Every value out of its bounds, each naming its field.
    pub fn violations(&self) -> Vec<crate::error::FieldError> {
        use crate::error::FieldError;
        let mut f = Vec::new();
        let within = |f: &mut Vec<FieldError>, field: &str, v: i64, lo: i64, hi: i64| {
            if !(lo..=hi).contains(&v) {
                f.push(FieldError::because(field, "field.between").with("min", lo).with("max", hi).with("value", v));
            }
        };
        within(&mut f, "min_rating_interval_seconds", self.min_rating_interval_seconds, 0, 3_600);
        within(&mut f, "overtime.default_minutes", self.overtime.default_minutes, 1, 240);
        within(&mut f, "overtime_target_percent", self.overtime_target_percent, 0, 100);
        for mut e in self.bulletin.violations() {
            e.field = format!("bulletin.{}", e.field);
            f.push(e);
        }
        if self.overtime.by_business.len() > 50 {
            f.push(FieldError::because("overtime.by_business", "field.too_many").with("max", 50));
        }
        for (code, minutes) in &self.overtime.by_business {
            let field = format!("overtime.by_business.{code}");
            if let Err(e) = rating::code(&field, code) {
                f.push(e);
            }
            within(&mut f, &field, *minutes, 1, 240);
        }
        f
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rules_refuse_every_value_out_of_bounds_at_once() {
        assert!(ServiceRules::default().violations().is_empty());
        let mut r =
            ServiceRules { min_rating_interval_seconds: -1, overtime_target_percent: 101, ..Default::default() };
        r.overtime.default_minutes = 0;
        r.overtime.by_business.insert("vip".into(), 500);
        let fields: Vec<String> = r.violations().into_iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            [
                "min_rating_interval_seconds",
                "overtime.default_minutes",
                "overtime_target_percent",
                "overtime.by_business.vip"
            ]
        );
    }
}
