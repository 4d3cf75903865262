//! The demo bank's workbook: a year of fraud interceptions at every outlet — the scenarios and
//! customer groups seen at Chinese counters, amounts from a few thousand yuan to a pension's
//! savings, one or two staff each, the police called for the serious ones.

use anyhow::Result;
use chrono::Duration;
use rand::Rng;
use rand::rngs::StdRng;
use sha2::Digest;
use xiaobao_core::money::Money;
use xiaobao_core::workbook::fraud::{Interception, Place, Scenario};
use xiaobao_core::workbook::review::{
    AnswerIn, AnswersIn, Clocks, OpinionIn, OpinionsIn, Review, ReviewIn, ReviewKind, ReviewStage, ReviewStep,
    SampleCheck, StepRefusal,
};
use xiaobao_core::workbook::{CustomerGroup, Register};
use xiaobao_store::Store;
use xiaobao_store::workbook::{Change, EntryWrite, review_write, weekly_write};

use crate::demo_service::ServiceOutlet;

const STORIES: &[(Scenario, &str)] = &[
    (
        Scenario::PosingAsAuthorities,
        "客户接到自称“公安局”的电话，称其涉嫌洗钱，要求将存款转入“安全账户”。柜员询问转账用途时客户神色紧张，经耐心劝说并联系家属，客户放弃转账。",
    ),
    (
        Scenario::FakeTaxRefund,
        "客户收到“个税退税”短信，按链接操作时到网点咨询验证码用途。大堂经理识别为虚假退税诈骗，指导客户删除短信并修改密码。",
    ),
    (
        Scenario::Investment,
        "客户欲向“理财导师”推荐的平台账户汇款，称收益每月百分之十。柜员提示高收益理财骗局特征，客户经核实后取消汇款。",
    ),
    (
        Scenario::PosingAsCustomerService,
        "客户称“电商客服”来电办理退款，要求其开通网银并转账“验证”。员工识别为冒充客服诈骗，协助客户冻结相关操作。",
    ),
    (
        Scenario::Loan,
        "客户为办理“无抵押低息贷款”，被要求先缴纳“保证金”。信贷窗口员工说明正规贷款不收取前置费用，客户放弃缴费。",
    ),
    (
        Scenario::Impersonation,
        "客户收到“领导”微信要求紧急转账，到柜面办理大额汇款。柜员建议电话核实，确认对方为冒充，客户避免损失。",
    ),
];

/// Records a year of interceptions for each outlet; returns how many.
pub async fn seed_fraud(store: &Store, rng: &mut StdRng, outlets: &[ServiceOutlet]) -> Result<usize> {
    let now = chrono::Utc::now();
    let mut made = 0;
    for o in outlets {
        if o.tellers.is_empty() {
            continue;
        }
        for _ in 0..rng.gen_range(4..12) {
            let occurred_at =
                xiaobao_core::time::to_stored_precision(now - Duration::minutes(rng.gen_range(60..365 * 24 * 60)));
            let (scenario, story) = STORIES[rng.gen_range(0..STORIES.len())];
            let place = match scenario {
                Scenario::Loan => Place::LoanDesk,
                Scenario::FakeTaxRefund | Scenario::PosingAsCustomerService if rng.gen_bool(0.4) => Place::Online,
                _ if rng.gen_range(0..6) == 0 => Place::Atm,
                _ => Place::Outlet,
            };
            let mut customer_groups = Vec::new();
            if rng.gen_bool(0.55) {
                customer_groups.push(CustomerGroup::Elderly);
            }
            if rng.gen_range(0..8) == 0 {
                customer_groups.push(CustomerGroup::MigrantWorker);
            }
            let yuan: i64 =
                if rng.gen_bool(0.2) { rng.gen_range(100_000..600_000) } else { rng.gen_range(2_000..80_000) };
            let mut staff = vec![o.tellers[rng.gen_range(0..o.tellers.len())].clone()];
            if o.tellers.len() > 1 && rng.gen_bool(0.3) {
                let other = o.tellers[rng.gen_range(0..o.tellers.len())].clone();
                if other != staff[0] {
                    staff.push(other);
                }
            }
            let record = Interception {
                occurred_at,
                scenario,
                scenario_other: None,
                place,
                place_other: None,
                customer_groups,
                amount_protected: Money::from_fen(yuan * 100),
                staff: staff.iter().map(|s| s.1.clone()).collect(),
                police_called: yuan >= 50_000 || scenario == Scenario::PosingAsAuthorities,
                description: story.to_string(),
            };
            let w = EntryWrite {
                register: Register::FraudInterception.as_str(),
                org_unit_id: o.unit.id,
                org_path: o.unit.path.clone(),
                occurred_at: occurred_at.timestamp_millis(),
                month: xiaobao_core::workbook::month_of(occurred_at),
                code: scenario.as_str().to_string(),
                amount_fen: yuan * 100,
                data: serde_json::to_string(&record)?,
                people: staff.iter().map(|s| s.0).collect(),
                state: "recorded".into(),
                marks: Vec::new(),
            };
            let recorded = occurred_at + Duration::minutes(rng.gen_range(10..240));
            store.add_entry(&w, staff[0].0, recorded.min(now).timestamp_millis()).await?;
            made += 1;
        }
    }
    Ok(made)
}

/// A concluded review as the demo made it: id, version, unit id, unit path, the review.
type Concluded = (i64, i64, i64, String, Review);

/// What the demo bank's departments submit for review, by kind.
const MATERIALS: &[(ReviewKind, ReviewStage, &str, &str)] = &[
    (
        ReviewKind::Product,
        ReviewStage::Design,
        "稳享理财",
        "新发行理财产品的产品说明书、风险揭示书与销售文本，含业绩比较基准的测算说明。",
    ),
    (
        ReviewKind::Contract,
        ReviewStage::Contract,
        "个人消费贷款合同（格式条款）",
        "修订后的借款合同，涉及提前还款违约金、利率调整与争议解决条款。",
    ),
    (
        ReviewKind::Fee,
        ReviewStage::Pricing,
        "借记卡年费与小额账户管理费调整",
        "拟调整的服务价目表，含减免情形及公示方式。",
    ),
    (ReviewKind::Marketing, ReviewStage::Marketing, "信用卡新客礼营销海报", "网点与手机银行投放的宣传海报及活动规则。"),
    (
        ReviewKind::Service,
        ReviewStage::Design,
        "老年客户上门服务流程",
        "针对行动不便老年客户的上门服务与双人核验流程。",
    ),
];

const OPINIONS: &[(&str, bool)] = &[
    ("风险揭示应与产品风险等级一致，并以显著方式提示。", true),
    ("收费项目须在合同中逐项列明，未列明的不得收取。", true),
    ("格式条款中免除本行责任的内容应加粗提示并作说明。", true),
    ("建议增加通俗易懂的示例说明。", false),
    ("建议宣传材料中的收益表述改为“业绩比较基准”。", false),
    ("建议在手机银行同步公示。", false),
];

/// A year of consumer-protection reviews submitted by the Beijing branch and its sub-branch,
/// reviewed by the branch's centre and re-checked at head office; most concluded with their final
/// material, the newest still in progress; each past month's sample drawn and checked. Returns the
/// reviews made.
pub async fn seed_reviews(store: &Store, rng: &mut StdRng) -> Result<usize> {
    let (Some(first), Some(second)) = (store.user_by_username("bj.cpc").await?, store.user_by_username("cpc").await?)
    else {
        return Ok(0);
    };
    let mut submitters = Vec::new();
    for (unit, user) in [("BJ", "bj.service"), ("BJ", "bj.vp"), ("BJ01", "bj01.ops")] {
        if let (Some(u), Some(by)) = (store.org_unit_by_code(unit).await?, store.user_by_username(user).await?) {
            submitters.push((u, by));
        }
    }
    if submitters.is_empty() {
        return Ok(0);
    }
    let rules = store.rules();
    let clocks =
        Clocks { rules: &rules.workbook.reviews, calendar: &rules.calendar, hours: &rules.policy.opening_hours };
    let now = chrono::Utc::now();
    let refused = |e: StepRefusal| anyhow::anyhow!("demo review step refused: {e:?}");
    let pick = |rng: &mut StdRng, n: usize| -> Vec<OpinionIn> {
        (0..n)
            .map(|_| {
                let (text, binding) = OPINIONS[rng.gen_range(0..OPINIONS.len())];
                OpinionIn { text: text.into(), binding }
            })
            .collect()
    };
    let mut made = 0;
    let mut concluded: Vec<Concluded> = Vec::new();
    for n in 0..48 {
        let (unit, by) = &submitters[rng.gen_range(0..submitters.len())];
        let (kind, stage, title, description) = MATERIALS[rng.gen_range(0..MATERIALS.len())];
        let at = xiaobao_core::time::to_stored_precision(now - Duration::hours(rng.gen_range(24..360 * 24)));
        let i = ReviewIn {
            org_unit: unit.code.clone(),
            kind: kind.as_str().into(),
            stage: stage.as_str().into(),
            title: format!("{title}（{}）", 2026 * 100 + n),
            description: description.into(),
        };
        let mut r = Review::submit(&i, &by.username, at, &clocks).map_err(|e| anyhow::anyhow!("{e:?}"))?;
        let id = store.add_entry(&review_write(unit.id, &unit.path, &r)?, by.id, at.timestamp_millis()).await?;
        made += 1;
        let mut t = at + Duration::hours(rng.gen_range(3..120));
        let mut last = (by.id, at);
        if t < now {
            let k = rng.gen_range(0..3);
            let given = OpinionsIn { opinions: pick(rng, k) };
            r.review(&given, &first.username, first.role, t, &clocks).map_err(refused)?;
            last = (first.id, t);
            t += Duration::hours(rng.gen_range(2..72));
            if t < now {
                let k = rng.gen_range(0..2);
                let given = OpinionsIn { opinions: pick(rng, k) };
                r.recheck(&given, &second.username, second.role, t, &clocks).map_err(refused)?;
                last = (second.id, t);
                t += Duration::hours(rng.gen_range(4..96));
                if t < now && r.waiting_for() == Some(ReviewStep::Respond) {
                    let answers = AnswersIn {
                        answers: r
                            .opinions
                            .iter()
                            .map(|o| {
                                let declined = !o.binding && rng.gen_bool(0.3);
                                AnswerIn {
                                    opinion: o.id,
                                    adopted: !declined,
                                    reason: declined.then(|| "已在其他材料中说明，本材料不再重复".to_string()),
                                }
                            })
                            .collect(),
                    };
                    r.respond(&answers, &by.username, t, &clocks).map_err(refused)?;
                    last = (by.id, t);
                    t += Duration::hours(rng.gen_range(24..400));
                }
            }
        }
        if r.waiting_for() == Some(ReviewStep::Conclude) && t < now {
            let pdf = format!("%PDF-1.4\n% {title} 上线版\n%%EOF\n").into_bytes();
            let sha = hex::encode(sha2::Sha256::digest(&pdf));
            let file = store
                .add_entry_file(
                    id,
                    &format!("{title}（上线版）.pdf"),
                    "application/pdf",
                    &pdf,
                    &sha,
                    by.id,
                    t.timestamp_millis(),
                )
                .await?;
            r.conclude(Some(file), &by.username, t).map_err(refused)?;
            last = (by.id, t);
        }
        if r.clocks.len() > 1 || r.concluded_at.is_some() {
            let w = review_write(unit.id, &unit.path, &r)?;
            store.change_entry(id, 1, &w, Change::Step("demo"), last.0, last.1.timestamp_millis()).await?;
            if r.concluded_at.is_some() {
                concluded.push((id, 2, unit.id, unit.path.clone(), r));
            }
        }
    }
    seed_samples(store, rng, &second, &concluded).await?;
    Ok(made)
}

/// Each past month's draw at head office of the reviews concluded in it, checked by the centre: one
/// in six found wanting, its finding a rectification for the submitter.
async fn seed_samples(
    store: &Store,
    rng: &mut StdRng,
    centre: &xiaobao_store::UserRow,
    concluded: &[Concluded],
) -> Result<()> {
    use std::collections::BTreeMap;
    let Some(head_office) = store.org_unit_by_id(centre.org_unit_id).await? else { return Ok(()) };
    let this_month = xiaobao_core::workbook::month_of(chrono::Utc::now());
    let mut by_month: BTreeMap<i32, Vec<&Concluded>> = BTreeMap::new();
    for c in concluded {
        if let Some(at) = c.4.concluded_at {
            by_month.entry(xiaobao_core::workbook::month_of(at)).or_default().push(c);
        }
    }
    let percent = store.rules().workbook.reviews.sample_percent;
    for (month, reviews) in by_month.into_iter().filter(|(m, _)| *m < this_month) {
        let candidates: Vec<(i64, i64)> = reviews.iter().map(|c| (c.2, c.0)).collect();
        let seed: u64 = rng.r#gen();
        let chosen = xiaobao_core::workbook::review::draw(seed, &candidates, percent);
        let label = format!("{}-{:02}", month / 100, month % 100);
        let mut drawn = Vec::new();
        let mut sampled = Vec::new();
        for c in reviews.iter().filter(|c| chosen.contains(&c.0)) {
            let mut r = c.4.clone();
            r.sampled_in = Some(label.clone());
            drawn.push((c.0, c.1, review_write(c.2, &c.3, &r)?));
            sampled.push((c.0, c.2, c.3.clone(), r));
        }
        let (year, m) = (month / 100, (month % 100) as u32);
        let next = chrono::NaiveDate::from_ymd_opt(year, m, 1)
            .and_then(|d| d.checked_add_months(chrono::Months::new(1)))
            .unwrap_or_default();
        let at = xiaobao_core::time::start_of_local_day(next) + Duration::hours(10);
        let new = xiaobao_store::NewSample {
            month,
            unit_id: head_office.id,
            seed,
            percent,
            candidates: &candidates,
            drawn: &drawn,
        };
        store.record_sample(&new, centre.id, at.timestamp_millis()).await?;
        for (id, unit_id, path, r) in sampled {
            let wanting = rng.gen_range(0..6) == 0;
            let checked = at + Duration::days(rng.gen_range(1..10));
            let owner = store.user_by_username(&r.submitted_by).await?.map(|u| u.id).unwrap_or(centre.id);
            let rect = wanting.then(|| xiaobao_store::service::NewRectification {
                source: xiaobao_core::service::rectification::Source::Review,
                source_id: Some(id),
                unit_id,
                owner_id: owner,
                title: format!("消保审查抽查整改：{}", r.title),
                detail: "最终上线材料未完全体现审查意见的修改，请补正并重新公示。".into(),
                due_on: xiaobao_core::measure::day_number(xiaobao_core::time::local_date(checked) + Duration::days(14)),
                by: centre.id,
                at_ms: checked.timestamp_millis(),
            });
            let finding = wanting.then(|| "最终上线材料未完全体现审查意见的修改".to_string());
            store
                .check_sampled_review(
                    id,
                    3,
                    rect.as_ref(),
                    |rect_id| {
                        let mut r = r.clone();
                        r.check = Some(SampleCheck {
                            wanting,
                            finding,
                            rectification: rect_id,
                            by: centre.username.clone(),
                            at: checked,
                        });
                        review_write(unit_id, &path, &r).map_err(|e| e.to_string())
                    },
                    centre.id,
                    checked.timestamp_millis(),
                )
                .await?;
        }
    }
    Ok(())
}

const WEEKLY_NOTES: &[(&str, &str, &str)] = &[
    (
        "大堂张贴防范电信诈骗海报，为老年客户讲解“安全账户”骗局；个人信息保护提示牌已更新。",
        "周一上午客流高峰，增开一个现金窗口；自助设备运行正常，厅堂环境整洁。",
        "本周受理投诉已按时处理，主要为排队时间和手续费咨询，已现场解释。",
    ),
    (
        "开展“金融知识进社区”宣传一次，发放折页；落实适当性管理，理财销售双录抽查无异常。",
        "午间排队略长，已提醒柜员错峰用餐；叫号机故障一次，半小时内修复。",
        "本周无新增投诉，上周投诉已回访，客户表示满意。",
    ),
    (
        "对新入职员工进行消保培训；核对营业场所收费价目公示，内容与总行一致。",
        "满意度评价总体良好，个别客户反映等候区座位不足，已增加座椅。",
        "受理投诉一件，涉及借记卡挂失流程，已按流程办结并改进告知话术。",
    ),
];

/// A year of weekly reports from every outlet with a lobby manager: written after each week,
/// most signed off by the outlet head, some sent back first; the newest week left unwritten at
/// BJ0102 (for it to be written in the product) and at a few others (so some are missing).
pub async fn seed_weekly(store: &Store, rng: &mut StdRng, outlets: &[ServiceOutlet]) -> Result<usize> {
    use xiaobao_core::workbook::weekly::{IsoWeek, SendBack, Signature, WeeklyReport};
    let now = chrono::Utc::now();
    let last = IsoWeek::of(xiaobao_core::time::local_date(now)).previous();
    let mut made = 0;
    for o in outlets {
        let lobby = format!("{}.lobby", o.unit.code.to_lowercase());
        let (Some(writer), Some(head)) =
            (store.user_by_username(&lobby).await?, store.users_by_ids(&[o.head]).await?.pop())
        else {
            continue;
        };
        let mut week = last;
        for age in 0..52 {
            if age > 0 {
                week = week.previous();
            }
            if age == 0 && (o.unit.code == "BJ0102" || rng.gen_range(0..4) == 0) {
                continue;
            }
            if rng.gen_range(0..40) == 0 {
                continue; // a week nobody wrote
            }
            let written_at =
                xiaobao_core::time::start_of_local_day(week.sunday()) + Duration::hours(24 + 9 + rng.gen_range(0..8));
            if written_at > now {
                continue;
            }
            let (cp, sq, c) = WEEKLY_NOTES[rng.gen_range(0..WEEKLY_NOTES.len())];
            let mut r = WeeklyReport {
                week: week.label(),
                consumer_protection: cp.into(),
                service_quality: sq.into(),
                complaints: c.into(),
                figures: store.week_figures(o.unit.id, week).await?,
                written_by: writer.username.clone(),
                written_at,
                sent_back: Vec::new(),
                signed: None,
            };
            let id = store
                .add_entry(&weekly_write(o.unit.id, &o.unit.path, &r)?, writer.id, written_at.timestamp_millis())
                .await?;
            made += 1;
            let mut t = written_at + Duration::hours(rng.gen_range(1..6));
            if rng.gen_range(0..8) == 0 {
                r.sent_back.push(SendBack {
                    by: head.username.clone(),
                    at: t,
                    reason: "投诉情况请写具体处理结果".into(),
                });
                r.written_at = t + Duration::hours(1);
                t += Duration::hours(2);
            }
            let unsigned = age == 0 && rng.gen_bool(0.3);
            if !unsigned && t < now {
                r.signed = Some(Signature { by: head.username.clone(), at: t });
            }
            if r.signed.is_some() || !r.sent_back.is_empty() {
                let w = weekly_write(o.unit.id, &o.unit.path, &r)?;
                store.change_entry(id, 1, &w, Change::Step("demo"), head.id, t.min(now).timestamp_millis()).await?;
            }
        }
    }
    Ok(made)
}
