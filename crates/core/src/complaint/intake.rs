//! Registration's decisions (受理登记): which known complainant this is, whether the complaint merges
//! into their open order on the same matter, and otherwise the new order's repeat link, watch-list
//! flag and first clocks. Pure: the store finds the candidates and their complaints, calls
//! [`matching`] and [`decide`], and writes what they return.

use super::{Change, State};
use crate::calendar::Calendar;
use crate::channel::Channel;
use crate::complainant::{ComplainantTag, NewComplainant};
use crate::deadline::{Clock, Policy};
use crate::time::{Instant, local_date};

/// A complainant already on record (stored, or registered earlier in the same write).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Known {
    pub id: i64,
    pub phone: Option<String>,
    pub id_number: Option<String>,
    pub tags: Vec<ComplainantTag>,
    pub watchlist: bool,
}

/// An earlier complaint of a matching complainant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Earlier {
    pub id: i64,
    pub complainant_id: i64,
    pub state: State,
    pub category: Option<String>,
    pub received_at: Instant,
}

/// What is being registered.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    pub complainant: &'a NewComplainant,
    pub channel: Channel,
    pub category: Option<&'a str>,
    pub received_at: Instant,
    pub summary: &'a str,
    pub description: &'a str,
}

/// The complainant's record as this registration leaves it: an existing one brought up to date, or
/// a new one (`id` None).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComplainantRecord {
    pub id: Option<i64>,
    pub name: String,
    pub phone: Option<String>,
    pub id_number: Option<String>,
    pub tags: Vec<ComplainantTag>,
    pub watchlist: bool,
}

/// A new work order, before the store gives it its id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOrder {
    pub complainant: ComplainantRecord,
    /// The complainant's latest complaint received within the policy's repeat window (重复投诉).
    pub repeat_of: Option<i64>,
    pub clocks: Vec<Clock>,
}

impl NewOrder {
    pub fn repeat(&self) -> bool {
        self.repeat_of.is_some()
    }
}

/// What a registration comes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Intake {
    /// The same matter raised again while its order is open: the complaint joins that order as an
    /// event instead of opening a second one.
    Merge {
        into: i64,
        change: Change,
    },
    New(NewOrder),
}

/// Does a known complainant share the request's ID number or phone?
fn shares_a_number(k: &Known, c: &NewComplainant) -> bool {
    let id_number = c.id_number.as_ref().map(|x| x.as_str());
    let phone = c.phone.as_ref().map(|x| x.as_str());
    (id_number.is_some() && k.id_number.as_deref() == id_number) || (phone.is_some() && k.phone.as_deref() == phone)
}

/// Everyone on record the complainant could be: the same ID number, or the same phone. Their
/// complaints are what [`decide`] looks at.
pub fn matching<'a>(c: &NewComplainant, known: &'a [Known]) -> Vec<&'a Known> {
    let mut out: Vec<&Known> = known.iter().filter(|k| shares_a_number(k, c)).collect();
    out.sort_by_key(|k| k.id);
    out.dedup_by_key(|k| k.id);
    out
}

/// Decide a registration: `candidates` are [`matching`]'s answer and `earlier` the complaints of
/// those candidates (in any order).
pub fn decide(req: Request<'_>, candidates: &[&Known], earlier: &[Earlier], policy: &Policy, cal: &Calendar) -> Intake {
    let c = req.complainant;
    let id_number = c.id_number.as_ref().map(|x| x.as_str().to_string());
    let phone = c.phone.as_ref().map(|x| x.as_str().to_string());
    let related: Vec<i64> = candidates.iter().map(|k| k.id).collect();
    let mut earlier: Vec<&Earlier> = earlier.iter().filter(|e| related.contains(&e.complainant_id)).collect();
    earlier.sort_by_key(|e| std::cmp::Reverse((e.received_at, e.id)));

    // The same matter raised again while its order is open: merge, don't register twice.
    if let Some(open) = earlier.iter().find(|e| e.state.is_open() && e.category.as_deref() == req.category) {
        return Intake::Merge {
            into: open.id,
            change: Change::Merge { summary: req.summary.to_string(), description: req.description.to_string() },
        };
    }

    // The one this complainant is: the same ID number first, else a phone match that does not
    // belong to someone with a different ID number; the earliest on record among equals.
    let primary = candidates
        .iter()
        .filter(|k| match (&id_number, &k.id_number) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        })
        .max_by_key(|k| (id_number.is_some() && k.id_number == id_number, std::cmp::Reverse(k.id)));

    let window_start = req.received_at - chrono::Duration::days(i64::from(policy.repeat_window_days));
    let repeat_of =
        earlier.iter().find(|e| e.received_at >= window_start && e.received_at <= req.received_at).map(|e| e.id);

    let mut record = ComplainantRecord {
        id: None,
        name: c.name.clone(),
        phone: phone.clone(),
        id_number: id_number.clone(),
        tags: c.tags.clone(),
        // a repeat complainant is watched; once watched, always watched
        watchlist: repeat_of.is_some() || primary.is_some_and(|p| p.watchlist),
    };
    if let Some(p) = primary {
        record.id = Some(p.id);
        record.phone = phone.or(p.phone.clone());
        record.id_number = p.id_number.clone().or(id_number);
        if c.tags.is_empty() {
            record.tags = p.tags.clone();
        }
    }
    let clocks = policy.initial_clocks(cal, req.channel, req.category, req.received_at);
    Intake::New(NewOrder { complainant: record, repeat_of, clocks })
}

/// The complaint number (投诉编号) of order `id` received at `received_at`: `TS`, the local date
/// of receipt, and the id in eight digits.
pub fn complaint_number(id: i64, received_at: Instant) -> String {
    format!("TS{}{:08}", local_date(received_at).format("%Y%m%d"), id)
}

/// A complaint number as a person types it, in the form [`complaint_number`] writes: spaces
/// anywhere dropped (also the ideographic space), full-width letters and digits of a Chinese input
/// method made plain, letters upper case (`ts 2025０３０３…` is `TS20250303…`). `None` when what is
/// left is empty or longer than any number.
pub fn typed_complaint_number(typed: &str) -> Option<String> {
    let number: String = typed
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            // the full-width forms of ASCII ('！'..='～') sit 0xFEE0 above it
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            c => c,
        })
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (!number.is_empty() && number.len() <= 32).then_some(number)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::time::start_of_local_day;
    use chrono::{Duration, NaiveDate};
    use proptest::prelude::*;

    fn t0() -> Instant {
        start_of_local_day(NaiveDate::from_ymd_opt(2025, 6, 2).unwrap()) + Duration::hours(10)
    }

    fn person(phone: Option<&str>, id_number: Option<&str>, tags: &[&str]) -> NewComplainant {
        let tags: Vec<String> = tags.iter().map(|t| t.to_string()).collect();
        NewComplainant::parse("李四", phone, id_number, &tags).unwrap()
    }

    fn request<'a>(c: &'a NewComplainant, category: Option<&'a str>) -> Request<'a> {
        Request {
            complainant: c,
            channel: Channel::Counter,
            category,
            received_at: t0(),
            summary: "再次反映",
            description: "客户再次来电",
        }
    }

    const IDS: [&str; 2] = ["110101199003074514", "110101199003078996"];

    #[test]
    fn a_stranger_gets_a_new_record_and_the_policy_clocks() {
        let c = person(Some("13800000001"), None, &["elderly"]);
        let (cal, policy) = (Calendar::china(), Policy::default());
        let Intake::New(o) = decide(request(&c, Some("01")), &[], &[], &policy, &cal) else { panic!("merged") };
        assert_eq!(o.complainant.id, None);
        assert_eq!(o.complainant.tags, [ComplainantTag::Elderly]);
        assert!(!o.complainant.watchlist && o.repeat_of.is_none());
        assert_eq!(o.clocks, policy.initial_clocks(&cal, Channel::Counter, Some("01"), t0()));
        assert_eq!(complaint_number(42, t0()), "TS2025060200000042");
    }

    #[test]
    fn a_typed_number_is_read_whatever_its_case_spaces_and_width() {
        let number = complaint_number(42, t0());
        for typed in [
            "TS2025060200000042",
            "ts2025060200000042",
            "  Ts2025060200000042 ",
            "TS 20250602 00000042",
            "\u{3000}ｔｓ２０２５０６０２００００００４２\t",
        ] {
            assert_eq!(typed_complaint_number(typed).as_deref(), Some(number.as_str()), "{typed:?}");
        }
        assert_eq!(typed_complaint_number(" \u{3000} "), None);
        assert_eq!(typed_complaint_number(&"1".repeat(33)), None);
    }

    #[test]
    fn a_phone_shared_with_someone_of_another_id_number_is_not_them() {
        let c = person(Some("13800000001"), Some(IDS[0]), &[]);
        let other = Known {
            id: 5,
            phone: Some("13800000001".into()),
            id_number: Some(IDS[1].into()),
            tags: vec![],
            watchlist: true,
        };
        let known = [other];
        let cands = matching(&c, &known);
        assert_eq!(cands.len(), 1, "they share the phone");
        let Intake::New(o) = decide(request(&c, None), &cands, &[], &Policy::default(), &Calendar::china()) else {
            panic!("merged")
        };
        assert_eq!(o.complainant.id, None, "a different ID number is a different person");
        assert!(!o.complainant.watchlist);
    }

    fn arb_known() -> impl Strategy<Value = Known> {
        (1i64..6, prop::option::of(0usize..2), prop::option::of(0usize..2), any::<bool>()).prop_map(
            |(id, phone, idn, watchlist)| Known {
                id,
                phone: phone.map(|p| format!("1380000000{p}")),
                id_number: idn.map(|i| IDS[i].to_string()),
                tags: vec![],
                watchlist,
            },
        )
    }

    fn arb_earlier() -> impl Strategy<Value = Earlier> {
        (
            1i64..40,
            1i64..6,
            prop::sample::select(State::ALL.to_vec()),
            prop::option::of(prop::sample::select(vec!["01", "02"])),
            -200i64..2,
        )
            .prop_map(|(id, complainant_id, state, category, days)| Earlier {
                id,
                complainant_id,
                state,
                category: category.map(str::to_string),
                received_at: t0() + Duration::days(days),
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        /// Merging, the repeat link and the watch list follow the rules stated one by one.
        #[test]
        fn registration_follows_its_rules(
            known in prop::collection::vec(arb_known(), 0..5),
            earlier in prop::collection::vec(arb_earlier(), 0..8)
                .prop_map(|v| v.into_iter().enumerate().map(|(n, e)| Earlier { id: n as i64 + 1, ..e }).collect::<Vec<_>>()),
            (phone, idn) in prop_oneof![
                (0usize..2).prop_flat_map(|p| (Just(Some(p)), prop::option::of(0usize..2))),
                (0usize..2).prop_map(|i| (None, Some(i))),
            ],
            category in prop::option::of(prop::sample::select(vec!["01", "02"])),
        ) {
            let phone = phone.map(|p| format!("1380000000{p}"));
            let c = person(phone.as_deref(), idn.map(|i| IDS[i]), &[]);
            let (cal, policy) = (Calendar::china(), Policy::default());
            let cands = matching(&c, &known);
            for k in &cands {
                prop_assert!(
                    (k.phone.is_some() && k.phone == phone) || (k.id_number.is_some() && k.id_number.as_deref() == idn.map(|i| IDS[i])),
                    "a candidate shares no number"
                );
            }
            prop_assert_eq!(cands.len(), known.iter().filter(|k| shares_a_number(k, &c)).map(|k| k.id).collect::<std::collections::BTreeSet<_>>().len());
            let theirs: Vec<&Earlier> = earlier.iter().filter(|e| cands.iter().any(|k| k.id == e.complainant_id)).collect();
            let open_same: Vec<&&Earlier> = theirs.iter().filter(|e| e.state.is_open() && e.category.as_deref() == category).collect();
            match decide(request(&c, category), &cands, &earlier, &policy, &cal) {
                Intake::Merge { into, change } => {
                    let target = theirs.iter().find(|e| e.id == into).expect("merges into one of theirs");
                    prop_assert!(target.state.is_open() && target.category.as_deref() == category);
                    prop_assert!(open_same.iter().all(|e| (e.received_at, e.id) <= (target.received_at, target.id)), "not the latest open one");
                    let is_merge = matches!(change, Change::Merge { .. });
                    prop_assert!(is_merge);
                }
                Intake::New(o) => {
                    prop_assert!(open_same.is_empty(), "an open order on the same matter was not merged into");
                    let window: Vec<&&Earlier> = theirs.iter().filter(|e| e.received_at <= t0() && t0() - e.received_at <= Duration::days(90)).collect();
                    match o.repeat_of {
                        Some(r) => {
                            let e = window.iter().find(|e| e.id == r).expect("a repeat of one of theirs inside the window");
                            prop_assert!(window.iter().all(|w| (w.received_at, w.id) <= (e.received_at, e.id)), "not the latest");
                        }
                        None => prop_assert!(window.is_empty(), "a complaint inside the window was missed"),
                    }
                    if let Some(id) = o.complainant.id {
                        let p = cands.iter().find(|k| k.id == id).expect("the record is a candidate");
                        // never someone with another ID number
                        if let (Some(a), Some(b)) = (idn.map(|i| IDS[i]), p.id_number.as_deref()) { prop_assert_eq!(a, b); }
                        prop_assert_eq!(o.complainant.watchlist, o.repeat_of.is_some() || p.watchlist);
                        prop_assert_eq!(o.complainant.phone.is_some(), phone.is_some() || p.phone.is_some());
                        prop_assert_eq!(o.complainant.id_number.is_some(), idn.is_some() || p.id_number.is_some());
                    } else {
                        prop_assert_eq!(o.complainant.watchlist, o.repeat_of.is_some());
                        prop_assert!(cands.iter().all(|k| match (idn.map(|i| IDS[i]), k.id_number.as_deref()) {
                            (Some(a), Some(b)) => a != b,
                            _ => false,
                        }), "a candidate who could be them was passed over");
                    }
                    prop_assert_eq!(o.clocks, policy.initial_clocks(&cal, Channel::Counter, category, t0()));
                }
            }
        }
    }
}
