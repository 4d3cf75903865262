//! The demo bank's year of service: counter ratings and queue tickets for every outlet over the last
//! year up to now, taken in through the same writer as the devices' requests (so the rollups are
//! what production keeps), with the shapes a service department sees — busy mid-mornings and
//! early afternoons, Mondays and month ends heavier, weekends lighter, a few crowded outlets whose
//! customers wait, a few tellers rated poorly, now and then a rater pressing the key for the
//! customer — and a quarter's inspections of each outlet with findings put right or still open,
//! and a few rewards and penalties entered by hand.

use anyhow::Result;
use chrono::{Datelike, Duration, NaiveDate, TimeZone, Weekday};
use rand::Rng;
use rand::rngs::StdRng;
use xiaobao_core::service::inspection::{InspectionKind, ItemScore, TemplateItem};
use xiaobao_core::service::queue::Ticket;
use xiaobao_core::service::rating::{Rating, Score};
use xiaobao_core::service::record::{RecordKind, RecordSource};
use xiaobao_core::service::rectification::Source;
use xiaobao_core::time::Instant;
use xiaobao_store::service::{NewInspection, NewRecord, NewRectification};
use xiaobao_store::{OrgUnitRow, RatingsInput, ResolvedRating, ResolvedTicket, Store, TicketsInput};

/// An outlet as the demo made it: its unit, its head and its tellers (id, username).
pub struct ServiceOutlet {
    pub unit: OrgUnitRow,
    pub head: i64,
    pub tellers: Vec<(i64, String)>,
    /// The service department that inspects it.
    pub inspector: i64,
}

/// Ratings per teller on an ordinary weekday.
const RATINGS_PER_TELLER_DAY: f64 = 11.0;
/// Tickets per rating: not every customer rates.
const TICKETS_PER_RATING: f64 = 1.5;
const BATCH: usize = 2_000;

/// How busy an hour of the day is (9:00–17:00), relative.
fn hour_weight(h: u32) -> f64 {
    match h {
        9 => 0.8,
        10 | 11 => 1.6,
        12 => 0.7,
        13 => 0.9,
        14 | 15 => 1.4,
        16 => 1.0,
        _ => 0.0,
    }
}

fn day_factor(d: NaiveDate) -> f64 {
    let last = d.with_day(1).and_then(|f| f.checked_add_months(chrono::Months::new(1))).and_then(|n| n.pred_opt());
    let month_end = last.is_some_and(|l| (l - d).num_days() < 3);
    let week = match d.weekday() {
        Weekday::Mon => 1.35,
        Weekday::Sat | Weekday::Sun => 0.55,
        _ => 1.0,
    };
    week * if month_end { 1.25 } else { 1.0 }
}

/// A local (UTC+8) time on `d` at `minute` minutes after midnight.
fn local(d: NaiveDate, minute: u32, second: u32) -> Instant {
    let t = d.and_hms_opt(minute / 60, minute % 60, second).unwrap_or_default();
    chrono::FixedOffset::east_opt(8 * 3600)
        .and_then(|z| z.from_local_datetime(&t).single())
        .map(|x| x.with_timezone(&chrono::Utc))
        .unwrap_or_default()
}

/// A minute of the opening day drawn by how busy its hour is.
fn busy_minute(rng: &mut StdRng) -> u32 {
    let total: f64 = (9..17).map(hour_weight).sum();
    let mut w = rng.gen_range(0.0..total);
    for h in 9..17 {
        if w < hour_weight(h) {
            return h * 60 + rng.gen_range(0..60);
        }
        w -= hour_weight(h);
    }
    16 * 60 + rng.gen_range(0..60)
}

/// A score, worse for a poor teller; a reason for a 1 or 2.
fn score(rng: &mut StdRng, poor: bool, waited_long: bool) -> (i64, Option<&'static str>) {
    let x: f64 = rng.gen_range(0.0..1.0);
    let (p1, p2, p3, p4) = if poor { (0.05, 0.10, 0.20, 0.45) } else { (0.006, 0.014, 0.05, 0.25) };
    let s = if x < p1 {
        1
    } else if x < p1 + p2 {
        2
    } else if x < p1 + p2 + p3 {
        3
    } else if x < p1 + p2 + p3 + p4 {
        4
    } else {
        5
    };
    let reason = (s <= 2).then(|| {
        if waited_long && rng.gen_range(0..2) == 0 {
            "01"
        } else {
            ["02", "03", "04", "05", "99", "03", "02"][rng.gen_range(0..7)]
        }
    });
    (s, reason)
}

/// Takes in the year's ratings and tickets; returns how many of each.
pub async fn seed_year(store: &Store, rng: &mut StdRng, outlets: &[ServiceOutlet]) -> Result<(usize, usize)> {
    let now = chrono::Utc::now();
    let today = xiaobao_core::time::local_date(now);
    let first = today - Duration::days(365);
    let mut ratings: Vec<ResolvedRating> = Vec::with_capacity(BATCH);
    let mut tickets: Vec<ResolvedTicket> = Vec::with_capacity(BATCH);
    let (mut n_ratings, mut n_tickets) = (0usize, 0usize);
    for (k, o) in outlets.iter().enumerate() {
        // one outlet in eight is crowded: fewer windows open than customers come
        let crowded = k % 8 == 3;
        let mut seq: Vec<i64> = vec![0; o.tellers.len()];
        let mut day = first;
        while day <= today {
            let f = day_factor(day);
            let mut number = 0;
            for (t, (teller_id, teller)) in o.tellers.iter().enumerate() {
                // the second teller of every third outlet is rated poorly
                let poor = t == 1 && k % 3 == 0;
                let n = (RATINGS_PER_TELLER_DAY * f * rng.gen_range(0.7..1.3)) as usize;
                let mut minutes: Vec<u32> = (0..n).map(|_| busy_minute(rng)).collect();
                minutes.sort_unstable();
                minutes.dedup();
                // now and then a rater presses the key for the customer: three within seconds
                let burst = rng.gen_range(0..40) == 0 && !minutes.is_empty();
                let device = format!("EV-{}-{}", o.unit.code, t + 1);
                for (i, m) in minutes.iter().enumerate() {
                    let repeat = if burst && i == 0 { 3 } else { 1 };
                    for r in 0..repeat {
                        let at = local(day, *m, 5 + r * 4);
                        if at >= now {
                            continue;
                        }
                        // the hour's crowding shows in the waits and so in the scores
                        let busy = hour_weight(m / 60) >= 1.4;
                        let waited_long = crowded && busy;
                        let (s, reason) = score(rng, poor, waited_long);
                        let s = if waited_long && s > 3 && rng.gen_range(0..4) == 0 { 3 } else { s };
                        seq[t] += 1;
                        ratings.push(ResolvedRating {
                            index: ratings.len(),
                            rating: Rating {
                                device: device.clone(),
                                seq: seq[t],
                                outlet: o.unit.code.clone(),
                                teller: teller.clone(),
                                window: Some(format!("{}", t + 1)),
                                rated_at: at,
                                score: Score::parse("score", s).map_err(|e| anyhow::anyhow!("{e:?}"))?,
                                reason: if s <= 2 { reason.map(str::to_string) } else { None },
                            },
                            outlet_id: o.unit.id,
                            outlet_path: o.unit.path.clone(),
                            teller_id: *teller_id,
                        });
                        if ratings.len() == BATCH {
                            n_ratings += flush_ratings(store, &mut ratings).await?;
                        }
                    }
                }
                // the tickets this teller called
                let n = (minutes.len() as f64 * TICKETS_PER_RATING) as usize;
                let mut taken: Vec<u32> = (0..n).map(|_| busy_minute(rng)).collect();
                taken.sort_unstable();
                for m in taken {
                    let taken_at = local(day, m, rng.gen_range(0..60));
                    if taken_at >= now {
                        continue;
                    }
                    let busy = hour_weight(m / 60);
                    let mean = if crowded { 9.0 * busy * busy } else { 4.0 * busy } * if f > 1.1 { 1.3 } else { 1.0 };
                    let wait_s = (-(1.0f64 - rng.gen_range(0.0..0.999)).ln() * mean * 60.0) as i64;
                    let called = taken_at + Duration::seconds(wait_s.min(80 * 60));
                    let finished = called + Duration::seconds(rng.gen_range(120..900));
                    number += 1;
                    let corporate = rng.gen_range(0..7) == 0;
                    tickets.push(ResolvedTicket {
                        index: tickets.len(),
                        ticket: Ticket {
                            outlet: o.unit.code.clone(),
                            number: format!("{}{:03}", if corporate { "B" } else { "A" }, number),
                            business: Some(if corporate { "corporate" } else { "personal" }.into()),
                            taken_at,
                            called_at: (called < now).then_some(called),
                            finished_at: (finished < now).then_some(finished),
                            window: Some(format!("{}", t + 1)),
                            teller: (called < now).then(|| teller.clone()),
                        },
                        outlet_id: o.unit.id,
                        outlet_path: o.unit.path.clone(),
                        teller_id: (called < now).then_some(*teller_id),
                    });
                    if tickets.len() == BATCH {
                        n_tickets += flush_tickets(store, &mut tickets).await?;
                    }
                }
            }
            day += Duration::days(1);
        }
    }
    n_ratings += flush_ratings(store, &mut ratings).await?;
    n_tickets += flush_tickets(store, &mut tickets).await?;
    Ok((n_ratings, n_tickets))
}

async fn flush_ratings(store: &Store, rows: &mut Vec<ResolvedRating>) -> Result<usize> {
    if rows.is_empty() {
        return Ok(0);
    }
    let rows = std::mem::take(rows);
    let out = store.ingest_ratings(RatingsInput { at: chrono::Utc::now(), integration_id: None, rows }).await?;
    Ok(out.accepted)
}

async fn flush_tickets(store: &Store, rows: &mut Vec<ResolvedTicket>) -> Result<usize> {
    if rows.is_empty() {
        return Ok(0);
    }
    let rows = std::mem::take(rows);
    let out = store.ingest_tickets(TicketsInput { at: chrono::Utc::now(), integration_id: None, rows }).await?;
    Ok(out.accepted)
}

/// Each outlet inspected once a quarter on the checklist, the findings that must be put right
/// of the latest quarter opened as rectifications (some already overdue);
/// and a few rewards and penalties entered by hand. Returns the inspections made.
pub async fn seed_inspections(
    store: &Store,
    rng: &mut StdRng,
    outlets: &[ServiceOutlet],
    template: &xiaobao_store::service::TemplateRow,
) -> Result<usize> {
    let now = chrono::Utc::now();
    let today = xiaobao_core::time::local_date(now);
    let mut made = 0;
    for (k, o) in outlets.iter().enumerate() {
        for q in 0..4u32 {
            let mut on = today - Duration::days(i64::from(q) * 91 + rng.gen_range(5..60));
            // the first outlet is left for this month's planner: its latest inspection is of an
            // earlier month, whatever day the demo starts on
            let first_of_month = today.with_day(1).unwrap_or(today);
            if k == 0 && on >= first_of_month {
                on = first_of_month - Duration::days(3);
            }
            let kind =
                [InspectionKind::OnSite, InspectionKind::OffSite, InspectionKind::MysteryShopper][(k + q as usize) % 3];
            let scores: Vec<ItemScore> = template
                .items
                .iter()
                .map(|i: &TemplateItem| {
                    let short = rng.gen_range(0..6) == 0;
                    let score =
                        if short { i.weight.saturating_sub(rng.gen_range(2..=i.weight.min(8))) } else { i.weight };
                    ItemScore {
                        item: i.code.clone(),
                        score,
                        finding: short
                            .then(|| format!("{}：检查时未做到", i.text.split('，').next().unwrap_or(&i.text))),
                        // the latest quarter's findings are still being put right
                        rectify: short && q == 0,
                    }
                })
                .collect();
            let scored = xiaobao_core::service::inspection::score(&template.items, &scores)
                .map_err(|e| anyhow::anyhow!("demo checklist: {e:?}"))?;
            let at = (on.and_hms_opt(3, 0, 0).unwrap_or_default()).and_utc();
            let due = on + Duration::days(14);
            let rectifications = scored
                .to_rectify()
                .map(|s| NewRectification {
                    source: Source::InspectionFinding,
                    source_id: None,
                    unit_id: o.unit.id,
                    owner_id: o.head,
                    title: s.finding.clone().unwrap_or_default(),
                    detail: String::new(),
                    due_on: xiaobao_core::measure::day_number(due),
                    by: o.inspector,
                    at_ms: at.timestamp_millis(),
                })
                .collect();
            store
                .create_inspection(&NewInspection {
                    unit_id: o.unit.id,
                    kind,
                    template_id: template.id,
                    template_version: template.version,
                    inspector_id: o.inspector,
                    inspected_on: xiaobao_core::measure::day_number(on),
                    earned: scored.earned,
                    possible: scored.possible,
                    score_bp: xiaobao_core::service::inspection::basis_points(scored.earned, scored.possible),
                    summary: "网点服务质量例行检查".into(),
                    scores: scored.scores.clone(),
                    at_ms: at.timestamp_millis(),
                    rectifications,
                })
                .await?;
            made += 1;
        }
        // a few hand-entered rewards and penalties
        if k % 4 == 0
            && let Some((teller, _)) = o.tellers.first()
        {
            store
                .add_service_record(&NewRecord {
                    user_id: *teller,
                    year: today.year(),
                    kind: RecordKind::Reward,
                    points: 3,
                    amount_fen: Some(50_000),
                    reason: "协助客户识破电信诈骗，避免损失".into(),
                    source: RecordSource::Manual,
                    source_id: None,
                    by: o.inspector,
                    at_ms: (now - Duration::days(rng.gen_range(10..200))).timestamp_millis(),
                })
                .await?;
        }
        if k % 5 == 1
            && let Some((teller, _)) = o.tellers.last()
        {
            store
                .add_service_record(&NewRecord {
                    user_id: *teller,
                    year: today.year(),
                    kind: RecordKind::Penalty,
                    points: 2,
                    amount_fen: None,
                    reason: "神秘人检查发现未唱收唱付".into(),
                    source: RecordSource::Inspection,
                    source_id: None,
                    by: o.inspector,
                    at_ms: (now - Duration::days(rng.gen_range(10..200))).timestamp_millis(),
                })
                .await?;
        }
    }
    Ok(made)
}

/// The accountability proposed by liable decisions over the year: what is older than three weeks
/// was decided by the service department — two in three confirmed with a penalty, the others
/// dismissed with the reason — and the recent ones wait. Returns how many were decided.
pub async fn decide_accountability(store: &Store, rng: &mut StdRng, path: &str, decider: i64) -> Result<usize> {
    let now = chrono::Utc::now();
    let cutoff = (now - Duration::days(21)).timestamp_millis();
    let mut decided = 0;
    for a in store.accountabilities(path, Some("proposed")).await? {
        if a.proposed_at > cutoff {
            continue;
        }
        let at = a.proposed_at + Duration::days(rng.gen_range(3..15)).num_milliseconds();
        if rng.gen_range(0..3) < 2 {
            let year = xiaobao_core::time::local_date(xiaobao_core::time::from_millis(at)).year();
            let rec = NewRecord {
                user_id: a.user_id,
                year,
                kind: RecordKind::Penalty,
                points: rng.gen_range(1..=3),
                amount_fen: (rng.gen_range(0..3) == 0).then_some(20_000),
                reason: format!("{} 服务不到位引发有责投诉", a.complaint_number),
                source: RecordSource::LiableComplaint,
                source_id: Some(a.complaint_id),
                by: decider,
                at_ms: at,
            };
            store.decide_accountability(a.id, Some(&rec), "服务不到位引发有责投诉", decider, at).await?;
        } else {
            store.decide_accountability(a.id, None, "经调阅监控，该员工已按规定办理，不予追究", decider, at).await?;
        }
        decided += 1;
    }
    Ok(decided)
}
