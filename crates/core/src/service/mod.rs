//! Service quality (DESIGN §3): counter ratings from the evaluators, queue tickets from the queue
//! system, and the figures read from them. Pure: parsing each row into what may be stored, the
//! burst rule, the wait and its overtime, and the counters a row adds to its units' rollups.

pub mod measure;
pub mod queue;
pub mod rating;

/// Most rows in one request from a device or a queue system.
pub const MAX_BATCH: usize = 5000;

/// Longest device, window, ticket number or business code.
pub const MAX_CODE: usize = 64;

/// The bank's service rules: when a device's ratings come too fast to be customers', and when a
/// wait is overtime.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct ServiceRules {
    /// A rating sooner than this after its device's previous one is flagged as a burst.
    pub min_rating_interval_seconds: i64,
    pub overtime: queue::Thresholds,
    /// An outlet whose overtime-wait ratio of a day exceeds this percentage is flagged that day.
    pub overtime_target_percent: i64,
}

impl Default for ServiceRules {
    fn default() -> Self {
        Self { min_rating_interval_seconds: 20, overtime: queue::Thresholds::default(), overtime_target_percent: 10 }
    }
}

impl ServiceRules {
    pub fn min_rating_interval(&self) -> chrono::Duration {
        chrono::Duration::seconds(self.min_rating_interval_seconds)
    }
}
