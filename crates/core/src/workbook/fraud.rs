//! Fraud interceptions (诈骗堵截): a customer stopped from sending money to a fraudster, at the counter,
//! an ATM, online or the loan desk — the scenario, the customer's groups, the amount protected, the
//! staff who stopped it and whether the police were called. The figures are cases and amount
//! protected per unit and month, by scenario; the monthly list of staff who stopped fraud feeds the
//! service records' rewards.

use crate::choices;
use crate::error::{FieldError, keep};
use crate::money::Money;
use crate::service::rating::past_time;
use crate::text::{bounded, limits};
use crate::time::Instant;
use crate::workbook::{CustomerGroup, code_list};

/// Most staff named on one interception.
pub const MAX_STAFF: usize = 10;

choices! {
    /// What the fraudster posed as or offered.
    pub enum Scenario {
        /// 冒充公检法
        PosingAsAuthorities = "posing_as_authorities",
        /// 虚假退税
        FakeTaxRefund = "fake_tax_refund",
        /// 投资理财诈骗
        Investment = "investment",
        /// 冒充客服
        PosingAsCustomerService = "posing_as_customer_service",
        /// 贷款诈骗
        Loan = "loan",
        /// 冒充熟人、领导
        Impersonation = "impersonation",
        /// 其他（注明）
        Other = "other",
    }
}

choices! {
    /// Where it was stopped.
    pub enum Place {
        /// 柜面
        Outlet = "outlet",
        /// 自助设备
        Atm = "atm",
        /// 线上渠道
        Online = "online",
        /// 信贷窗口
        LoanDesk = "loan_desk",
        /// 其他（注明）
        Other = "other",
    }
}

/// An interception as sent (the unit is resolved by the caller, in scope).
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InterceptionIn {
    /// The outlet's (or unit's) org code.
    pub org_unit: String,
    /// RFC 3339 with offset; not in the future.
    pub occurred_at: String,
    pub scenario: String,
    /// What the scenario was, when `scenario` is `other`.
    #[serde(default)]
    pub scenario_other: Option<String>,
    #[serde(rename = "where")]
    pub place: String,
    /// Where, when `where` is `other`.
    #[serde(default)]
    pub where_other: Option<String>,
    #[serde(default)]
    pub customer_groups: Vec<String>,
    /// Yuan, up to two decimals ("0" when nothing was about to be sent).
    pub amount_protected: String,
    /// Usernames of the staff who stopped it (1 to 10).
    pub staff: Vec<String>,
    #[serde(default)]
    pub police_called: bool,
    /// What happened and what was stopped.
    pub description: String,
}

/// An interception as checked (and as kept: the stored record is this, serialised).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Interception {
    pub occurred_at: Instant,
    pub scenario: Scenario,
    pub scenario_other: Option<String>,
    #[serde(rename = "where")]
    pub place: Place,
    #[serde(rename = "where_other")]
    pub place_other: Option<String>,
    pub customer_groups: Vec<CustomerGroup>,
    pub amount_protected: Money,
    /// Usernames, trimmed, without repeats, in the order given.
    pub staff: Vec<String>,
    pub police_called: bool,
    pub description: String,
}

/// The text of an `other` choice: required for `other`, refused for any other choice.
fn other_text(field: &str, is_other: bool, v: Option<&str>) -> Result<Option<String>, FieldError> {
    let v = v.map(str::trim).filter(|v| !v.is_empty());
    match (is_other, v) {
        (true, None) => Err(FieldError::because(field, "field.required")),
        (true, Some(v)) => bounded(field, v, 1, limits::NAME).map(Some),
        (false, None) => Ok(None),
        (false, Some(_)) => Err(FieldError::because(field, "field.only_for_other")),
    }
}

impl Interception {
    /// Every fault at once; `now` bounds the time.
    pub fn parse(i: &InterceptionIn, now: Instant) -> Result<Self, Vec<FieldError>> {
        let mut f = Vec::new();
        let occurred_at = keep(&mut f, past_time("occurred_at", &i.occurred_at, now));
        let scenario = keep(&mut f, Scenario::parse("scenario", &i.scenario));
        let scenario_other =
            keep(&mut f, other_text("scenario_other", scenario == Some(Scenario::Other), i.scenario_other.as_deref()));
        let place = keep(&mut f, Place::parse("where", &i.place));
        let place_other =
            keep(&mut f, other_text("where_other", place == Some(Place::Other), i.where_other.as_deref()));
        let customer_groups =
            match code_list("customer_groups", &i.customer_groups, CustomerGroup::ALL.len(), CustomerGroup::parse) {
                Ok(g) => Some(g),
                Err(e) => {
                    f.extend(e);
                    None
                }
            };
        let amount_protected = keep(&mut f, Money::parse("amount_protected", &i.amount_protected));
        let mut staff: Vec<String> = Vec::new();
        if i.staff.is_empty() {
            f.push(FieldError::because("staff", "field.required"));
        } else if i.staff.len() > MAX_STAFF {
            f.push(FieldError::because("staff", "field.too_many").with("max", MAX_STAFF));
        } else {
            for (n, s) in i.staff.iter().enumerate() {
                match bounded(&format!("staff[{n}]"), s, 1, limits::NAME) {
                    Ok(s) if !staff.contains(&s) => staff.push(s),
                    Ok(_) => {}
                    Err(e) => f.push(e),
                }
            }
        }
        let description = keep(&mut f, bounded("description", &i.description, 1, limits::TEXT));
        match (
            occurred_at,
            scenario,
            scenario_other,
            place,
            place_other,
            customer_groups,
            amount_protected,
            description,
        ) {
            (
                Some(occurred_at),
                Some(scenario),
                Some(scenario_other),
                Some(place),
                Some(place_other),
                Some(customer_groups),
                Some(amount_protected),
                Some(description),
            ) if f.is_empty() => Ok(Self {
                occurred_at,
                scenario,
                scenario_other,
                place,
                place_other,
                customer_groups,
                amount_protected,
                staff,
                police_called: i.police_called,
                description,
            }),
            _ => Err(f),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn now() -> Instant {
        chrono::DateTime::parse_from_rfc3339("2026-12-07T15:00:00+08:00").unwrap().to_utc()
    }

    fn good() -> InterceptionIn {
        InterceptionIn {
            org_unit: "BJ0101".into(),
            occurred_at: "2026-12-07T10:20:00+08:00".into(),
            scenario: "posing_as_authorities".into(),
            place: "outlet".into(),
            customer_groups: vec!["elderly".into()],
            amount_protected: "50000.00".into(),
            staff: vec!["bj0101.teller".into(), " bj0101.lobby ".into(), "bj0101.teller".into()],
            police_called: true,
            description: "客户称接到“公安”电话要求转账至安全账户，柜员劝阻并报警".into(),
            ..Default::default()
        }
    }

    #[test]
    fn an_interception_is_checked_and_kept_as_typed() {
        let i = Interception::parse(&good(), now()).unwrap();
        assert_eq!((i.scenario, i.place), (Scenario::PosingAsAuthorities, Place::Outlet));
        assert_eq!(i.amount_protected.fen(), 5_000_000);
        assert_eq!(i.staff, ["bj0101.teller", "bj0101.lobby"]);
        assert_eq!(i.customer_groups, [CustomerGroup::Elderly]);
        assert!(i.police_called && i.scenario_other.is_none());
    }

    #[test]
    fn other_needs_its_text_and_only_other_takes_one() {
        let mut g = good();
        g.scenario = "other".into();
        g.where_other = Some("营业厅门口".into());
        let f = Interception::parse(&g, now()).unwrap_err();
        let got: Vec<(&str, &str)> = f.iter().map(|e| (e.field.as_str(), e.reason)).collect();
        assert_eq!(got, [("scenario_other", "field.required"), ("where_other", "field.only_for_other")]);
        g.scenario_other = Some("冒充电商退款".into());
        g.where_other = None;
        assert_eq!(Interception::parse(&g, now()).unwrap().scenario_other.as_deref(), Some("冒充电商退款"));
    }

    #[test]
    fn every_bad_field_is_told_at_once() {
        let bad = InterceptionIn {
            org_unit: "BJ0101".into(),
            occurred_at: "2026-12-08T10:00:00+08:00".into(),
            scenario: "aliens".into(),
            place: "moon".into(),
            customer_groups: vec!["elderly".into(), "nobody".into()],
            amount_protected: "-5".into(),
            staff: vec![],
            police_called: false,
            description: " ".into(),
            ..Default::default()
        };
        let f = Interception::parse(&bad, now()).unwrap_err();
        let fields: Vec<&str> = f.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["occurred_at", "scenario", "where", "customer_groups[1]", "amount_protected", "staff", "description"]
        );
        let many = InterceptionIn { staff: vec!["a".into(); MAX_STAFF + 1], ..good() };
        assert_eq!(Interception::parse(&many, now()).unwrap_err()[0].reason, "field.too_many");
    }
}
