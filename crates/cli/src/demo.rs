//! The demo bank: a head office, two tier-1 branches, sub-branches and 24 outlets in Beijing and
//! Shanghai, a user of every role, a year of complaints in every state, in Chinese, and a year of
//! service (see `demo_service`).

/// The demo bank's customer hotline, printed on its receipts.
pub const HOTLINE: &str = "400-000-0000";

use anyhow::{Context, Result};
use chrono::Duration;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use std::sync::Arc;
use tokio::sync::Semaphore;
use xiaobao_core::channel::Channel;
use xiaobao_core::complainant::{ComplainantTag, IdNumber, NewComplainant, Phone, resident_id_check_char};
use xiaobao_core::complaint::{Action, Actor, Decision, Feedback, RootCause, UnitRef};
use xiaobao_core::money::Money;
use xiaobao_core::org::{OrgCode, OrgUnitKind};
use xiaobao_core::role::Role;
use xiaobao_store::{ActInput, NewOrgUnit, NewUser, OrgUnitRow, RegisterInput, Store, UserRow};

pub const DEMO_PASSWORD: &str = "xiaobao2026";
const COMPLAINTS: usize = 2400;

pub struct Summary {
    pub outlets: usize,
    pub users: usize,
    pub complaints: i64,
    pub states: Vec<(String, i64)>,
    pub ratings: usize,
    pub tickets: usize,
    pub inspections: usize,
    pub fraud_interceptions: usize,
    pub cp_reviews: usize,
    pub weekly_reports: usize,
}

impl Summary {
    pub fn print(&self) {
        println!("Demo bank created: {} outlets, {} users, {} complaints.", self.outlets, self.users, self.complaints);
        let states: Vec<String> = self.states.iter().map(|(s, n)| format!("{s} {n}")).collect();
        println!("Complaints by state: {}", states.join(", "));
        println!(
            "A year of service: {} counter ratings, {} queue tickets, {} inspections.",
            self.ratings, self.tickets, self.inspections
        );
        println!(
            "The workbook: {} fraud interceptions, {} consumer-protection reviews, {} weekly lobby reports.",
            self.fraud_interceptions, self.cp_reviews, self.weekly_reports
        );
        print_logins();
    }
}

/// The demo logins (every demo user has the same password).
pub fn print_logins() {
    println!("Demo logins (password for all: {DEMO_PASSWORD}):");
    for (user, role, unit) in LOGINS {
        println!("  {user:<14} {role:<22} {unit}");
    }
}

const LOGINS: &[(&str, &str, &str)] = &[
    ("admin", "admin", "HO 总行"),
    ("auditor", "auditor", "HO 总行"),
    ("cpc", "cp_centre", "HO 总行 消保中心"),
    ("bj.cpc", "cp_centre", "BJ 北京分行 消保中心"),
    ("bj.president", "president", "BJ 北京分行"),
    ("bj.vp", "vice_president", "BJ 北京分行"),
    ("bj.service", "service_dept", "BJ 北京分行"),
    ("bj01.ops", "operations_supervisor", "BJ01 北京朝阳支行"),
    ("bj0101.head", "outlet_head", "BJ0101 朝阳门网点"),
    ("bj0101.teller", "teller", "BJ0101 朝阳门网点"),
    ("bj0101.lobby", "lobby_manager", "BJ0101 朝阳门网点"),
    ("bj0101.rm", "relationship_manager", "BJ0101 朝阳门网点"),
    ("bj0102.head", "outlet_head", "BJ0102 建国门网点"),
    ("bj0102.teller", "teller", "BJ0102 建国门网点"),
];

/// A sub-branch: code, name and the names of its outlets.
type SubBranch = (&'static str, &'static str, &'static [&'static str]);

/// Tier-1 branches: code, name and sub-branches.
const BRANCHES: &[(&str, &str, &[SubBranch])] = &[
    (
        "BJ",
        "北京分行",
        &[
            ("BJ01", "北京朝阳支行", &["朝阳门", "建国门", "望京", "三里屯"]),
            ("BJ02", "北京海淀支行", &["中关村", "五道口", "公主坟", "西二旗"]),
            ("BJ03", "北京东城支行", &["王府井", "东直门", "崇文门", "雍和宫"]),
        ],
    ),
    (
        "SH",
        "上海分行",
        &[
            ("SH01", "上海浦东支行", &["陆家嘴", "张江", "世纪公园", "川沙"]),
            ("SH02", "上海黄浦支行", &["外滩", "人民广场", "南京东路", "老西门"]),
            ("SH03", "上海徐汇支行", &["徐家汇", "漕河泾", "龙华", "田林"]),
        ],
    ),
];

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "林", "罗",
    "高",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超",
    "秀兰", "霞", "平", "刚", "桂英", "建华", "玉兰",
];

/// The demo checklist: (code, group, what is checked, points); 100 points in all.
const CHECKLIST: &[(&str, &str, &str, u32)] = &[
    ("A01", "环境与设施", "营业厅整洁明亮，标识、公告、利率牌清楚准确", 10),
    ("A02", "环境与设施", "叫号机、评价器、自助设备运行正常", 10),
    ("B01", "服务规范", "柜员着装规范，起身迎客，唱收唱付", 15),
    ("B02", "服务规范", "大堂经理主动引导分流，及时解答咨询", 15),
    ("C01", "消费者权益保护", "“消费者权益保护”宣传资料齐全，投诉电话公示", 15),
    ("C02", "消费者权益保护", "销售理财产品执行“双录”，风险提示到位", 15),
    ("D01", "适老与无障碍服务", "爱心窗口开放，备有老花镜、轮椅、助听器", 10),
    ("D02", "适老与无障碍服务", "保留现金服务，不拒收现金", 10),
];

/// (category, cause, service channel, summary, description)
const MATTERS: &[(&str, &str, &str, &str, &str)] = &[
    ("0302", "12", "0103", "信用卡年费争议", "客户称办卡时工作人员承诺免年费，现被收取年费 300 元，要求退还。"),
    (
        "0302",
        "05",
        "010302",
        "信用卡分期手续费未告知",
        "客户办理账单分期后发现手续费远高于预期，称电话销售时未说明费率。",
    ),
    ("01", "01", "0101", "柜台排队时间过长", "客户称在网点等候超过一小时，仅开放两个窗口，大堂无人引导。"),
    ("01", "01", "0101", "柜员服务态度生硬", "客户称柜员办理业务时态度冷淡、语气不耐烦，要求道歉。"),
    ("0202", "08", "0101", "消费贷款提前还款违约金争议", "客户提前还款被收取违约金，称合同条款未作提示说明。"),
    ("0201", "03", "0101", "房贷利率调整未及时执行", "客户称 LPR 下调后房贷利率未按约定调整，多还利息。"),
    (
        "09",
        "06",
        "010303",
        "理财产品收益与宣传不符",
        "客户购买的理财产品实际收益低于宣传的业绩比较基准，认为存在误导。",
    ),
    ("1001", "04", "0101", "代理保险被误导为存款", "老年客户称在网点存款时被引导购买了保险产品，要求退保并退还本金。"),
    ("04", "02", "010303", "手机银行转账失败资金未到账", "客户通过手机银行转账显示成功但收款方未收到，资金被扣。"),
    ("0301", "02", "0102", "ATM 吞卡", "客户在自助机具取款时银行卡被吞，至今未能取回。"),
    ("0301", "09", "010301", "借记卡被盗刷", "客户借记卡在异地被盗刷 5,000 元，本人卡片一直在身边。"),
    ("06", "10", "0101", "个人信息被泄露", "客户称在本行办理业务后频繁接到推销电话，怀疑个人信息被泄露。"),
    ("11", "11", "0104", "催收电话骚扰家人", "客户称第三方催收机构频繁致电其家人和同事，影响正常生活。"),
    ("05", "01", "0101", "零钱兑换被拒", "客户到网点兑换零钱被告知无法办理，认为拒收现金。"),
    ("07", "03", "0101", "外汇购汇额度问题", "客户称办理购汇时被要求提供额外材料，流程繁琐。"),
    ("08", "05", "0101", "贵金属回购价格争议", "客户称购买金条时未被告知回购价格与手续费规则。"),
    ("1002", "04", "010303", "基金销售风险提示不足", "客户购买基金亏损，称销售人员未做风险测评即推荐高风险产品。"),
    ("99", "99", "99", "其他服务问题", "客户对网点停车及无障碍设施提出意见。"),
];

const CHANNELS: &[(Channel, u32)] = &[
    (Channel::Counter, 35),
    (Channel::Hotline, 30),
    (Channel::OutletPhone, 8),
    (Channel::Online, 10),
    (Channel::Regulator, 8),
    (Channel::Letter, 3),
    (Channel::OtherTransfer, 4),
    (Channel::Media, 2),
];

struct Outlet {
    unit: OrgUnitRow,
    head: i64,
    teller: i64,
    /// Every teller of the outlet: (id, username).
    tellers: Vec<(i64, String)>,
}

fn random_phone(rng: &mut StdRng) -> Phone {
    let prefixes = ["138", "139", "136", "158", "186", "177", "150", "188"];
    let p = prefixes.choose(rng).copied().unwrap_or("138");
    Phone::parse("phone", &format!("{p}{:08}", rng.gen_range(0..100_000_000))).expect("generated phone is valid")
}

fn random_id_number(rng: &mut StdRng) -> IdNumber {
    let region = ["110105", "110108", "310115", "310101", "310104", "110101"].choose(rng).copied().unwrap_or("110101");
    let year = rng.gen_range(1940..2004);
    let first17 =
        format!("{region}{year}{:02}{:02}{:03}", rng.gen_range(1..13), rng.gen_range(1..29), rng.gen_range(0..1000));
    let check = resident_id_check_char(&first17);
    IdNumber::parse("id_number", &format!("{first17}{check}")).expect("generated ID is valid")
}

async fn unit(store: &Store, code: &str, name: &str, kind: OrgUnitKind, parent: &str) -> Result<OrgUnitRow> {
    let new = NewOrgUnit {
        code: OrgCode::parse("code", code).map_err(|e| anyhow::anyhow!("{e}"))?,
        name: name.to_string(),
        kind,
        parent: OrgCode::parse("parent", parent).map_err(|e| anyhow::anyhow!("{e}"))?,
    };
    store.create_org_unit(&new).await.map_err(|e| anyhow::anyhow!("creating org unit {code}: {e}"))
}

async fn user(store: &Store, hash: &str, username: &str, display: &str, role: Role, unit_id: i64) -> Result<UserRow> {
    store
        .create_user(&NewUser {
            username: username.into(),
            display_name: display.into(),
            role,
            org_unit_id: unit_id,
            password_hash: hash.into(),
            email: None,
        })
        .await
        .with_context(|| format!("creating user {username}"))
}

pub async fn create(store: &Store) -> Result<Summary> {
    let hash =
        xiaobao_server::hash_password(DEMO_PASSWORD).map_err(|_| anyhow::anyhow!("cannot hash the demo password"))?;
    let ho = store.org_unit_by_code("HO").await?.context("head office missing")?;
    let mut rng = StdRng::seed_from_u64(20_260_301);
    let mut users = 0usize;
    user(store, &hash, "admin", "系统管理员", Role::Admin, ho.id).await?;
    user(store, &hash, "auditor", "审计 周敏", Role::Auditor, ho.id).await?;
    let cpc = user(store, &hash, "cpc", "总行消保中心 林静", Role::CpCentre, ho.id).await?;
    users += 3;
    let mut outlets: Vec<Outlet> = Vec::new();
    let mut supervisors: Vec<(String, UserRow)> = Vec::new();
    for (bcode, bname, subs) in BRANCHES {
        let branch = unit(store, bcode, bname, OrgUnitKind::Branch, "HO").await?;
        let lc = bcode.to_lowercase();
        user(store, &hash, &format!("{lc}.president"), &format!("{bname}行长"), Role::President, branch.id).await?;
        let vp = user(store, &hash, &format!("{lc}.vp"), &format!("{bname}分管行长"), Role::VicePresident, branch.id)
            .await?;
        user(store, &hash, &format!("{lc}.cpc"), &format!("{bname}消保中心"), Role::CpCentre, branch.id).await?;
        user(store, &hash, &format!("{lc}.service"), &format!("{bname}服务主管部门"), Role::ServiceDept, branch.id)
            .await?;
        users += 4;
        supervisors.push((branch.path.clone(), vp));
        for (scode, sname, outlet_names) in subs.iter() {
            let sub = unit(store, scode, sname, OrgUnitKind::SubBranch, bcode).await?;
            let ops = user(
                store,
                &hash,
                &format!("{}.ops", scode.to_lowercase()),
                &format!("{sname}营运主管"),
                Role::OperationsSupervisor,
                sub.id,
            )
            .await?;
            users += 1;
            supervisors.push((sub.path.clone(), ops));
            for (n, oname) in outlet_names.iter().enumerate() {
                let ocode = format!("{scode}{:02}", n + 1);
                let o = unit(store, &ocode, &format!("{oname}网点"), OrgUnitKind::Outlet, scode).await?;
                let lc = ocode.to_lowercase();
                let surname = SURNAMES[(n * 7 + ocode.len()) % SURNAMES.len()];
                let head = user(
                    store,
                    &hash,
                    &format!("{lc}.head"),
                    &format!("{surname}经理（{oname}网点负责人）"),
                    Role::OutletHead,
                    o.id,
                )
                .await?;
                let teller =
                    user(store, &hash, &format!("{lc}.teller"), &format!("{oname}柜员"), Role::Teller, o.id).await?;
                let teller2 = user(
                    store,
                    &hash,
                    &format!("{lc}.teller2"),
                    &format!("{oname}柜员（二号窗口）"),
                    Role::Teller,
                    o.id,
                )
                .await?;
                user(store, &hash, &format!("{lc}.lobby"), &format!("{oname}大堂经理"), Role::LobbyManager, o.id)
                    .await?;
                user(store, &hash, &format!("{lc}.rm"), &format!("{oname}客户经理"), Role::RelationshipManager, o.id)
                    .await?;
                users += 5;
                let tellers = vec![(teller.id, teller.username.clone()), (teller2.id, teller2.username.clone())];
                outlets.push(Outlet { unit: o, head: head.id, teller: teller.id, tellers });
            }
        }
    }

    // the service department's checklist, for inspecting outlets
    let mut template = None;
    if let Some(svc) = store.user_by_username("bj.service").await? {
        let items: Vec<xiaobao_core::service::inspection::TemplateItem> = CHECKLIST
            .iter()
            .map(|(code, group, text, weight)| xiaobao_core::service::inspection::TemplateItem {
                code: (*code).into(),
                group: (*group).into(),
                text: (*text).into(),
                weight: *weight,
            })
            .collect();
        store
            .create_template(
                "SQ-2026",
                "网点服务质量检查表（2026版）",
                &items,
                svc.id,
                chrono::Utc::now().timestamp_millis(),
            )
            .await?;
        template = store.template_by_code("SQ-2026").await?;
    }

    // a year of counter ratings and queue tickets, the quarters' inspections, a few records
    let mut service = Vec::new();
    for o in &outlets {
        let branch = if o.unit.code.starts_with("SH") { "sh.service" } else { "bj.service" };
        let inspector = store.user_by_username(branch).await?.map(|u| u.id).unwrap_or(cpc.id);
        service.push(crate::demo_service::ServiceOutlet {
            unit: o.unit.clone(),
            head: o.head,
            tellers: o.tellers.clone(),
            inspector,
        });
    }
    let (ratings, tickets) = crate::demo_service::seed_year(store, &mut rng, &service).await?;
    let inspections = match &template {
        Some(t) => crate::demo_service::seed_inspections(store, &mut rng, &service, t).await?,
        None => 0,
    };
    let fraud_interceptions = crate::demo_workbook::seed_fraud(store, &mut rng, &service).await?;
    let cp_reviews = crate::demo_workbook::seed_reviews(store, &mut rng).await?;
    let weekly_reports = crate::demo_workbook::seed_weekly(store, &mut rng, &service).await?;

    // Each outlet's customers and transactions for the last thirteen months: what the per-10,000
    // figures divide by (the units above hold the sums).
    let today = chrono::Utc::now().date_naive();
    let months =
        xiaobao_core::period::Period::months(today.checked_sub_months(chrono::Months::new(12)).unwrap_or(today), today);
    let mut figures = Vec::new();
    for o in &outlets {
        let customers: i64 = rng.gen_range(8_000..40_000);
        for (i, m) in months.iter().enumerate() {
            figures.push(xiaobao_store::EnteredFigures {
                unit_id: o.unit.id,
                period: *m,
                customers: customers + i as i64 * rng.gen_range(20..120),
                transactions: customers * rng.gen_range(18..30),
            });
        }
    }
    store.put_period_stats_many(&figures, Some(cpc.id), chrono::Utc::now().timestamp_millis()).await?;

    // A pool of complainants, some of whom complain more than once (repeats, the watch list).
    let mut people: Vec<NewComplainant> = Vec::new();
    for i in 0..1_800 {
        let name = format!(
            "{}{}",
            SURNAMES.choose(&mut rng).copied().unwrap_or("王"),
            GIVEN.choose(&mut rng).copied().unwrap_or("伟")
        );
        let mut tags = Vec::new();
        if i % 9 == 0 {
            tags.push(ComplainantTag::Elderly);
        }
        if i % 61 == 0 {
            tags.push(ComplainantTag::Disabled);
        }
        let id_number = (i % 3 != 0).then(|| random_id_number(&mut rng));
        people.push(NewComplainant { name, phone: Some(random_phone(&mut rng)), id_number, tags });
    }

    let now = chrono::Utc::now();
    let start = now - Duration::days(365);
    let total_weight: u32 = CHANNELS.iter().map(|(_, w)| w).sum();
    let limit = Arc::new(Semaphore::new(48));
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..COMPLAINTS {
        // Spread over the year, slightly more in recent months.
        let day = ((i as f64 / COMPLAINTS as f64).sqrt() * 364.0) as i64;
        let received = start + Duration::days(day) + Duration::minutes(rng.gen_range(9 * 60..17 * 60) - 8 * 60);
        let mut w = rng.gen_range(0..total_weight);
        let channel = CHANNELS
            .iter()
            .find(|(_, cw)| {
                if w < *cw {
                    true
                } else {
                    w -= cw;
                    false
                }
            })
            .map(|(c, _)| *c)
            .unwrap_or(Channel::Counter);
        let outlet = &outlets[rng.gen_range(0..outlets.len())];
        let matter = MATTERS[rng.gen_range(0..MATTERS.len())];
        // one complainant in six comes back
        let person = if i % 6 == 0 {
            people[rng.gen_range(0..60)].clone()
        } else {
            people[rng.gen_range(60..people.len())].clone()
        };
        let registrant =
            if matches!(channel, Channel::Hotline | Channel::Regulator | Channel::OtherTransfer | Channel::Media) {
                cpc.id
            } else {
                outlet.teller
            };
        let amount = (rng.gen_range(0..3) == 0).then(|| Money::from_fen(rng.gen_range(1..500_000) * 100));
        let input = RegisterInput {
            at: received + Duration::minutes(rng.gen_range(1..30)),
            received_at: received,
            channel,
            unit: UnitRef { id: outlet.unit.id, code: outlet.unit.code.clone(), path: outlet.unit.path.clone() },
            first_responder_id: registrant,
            complainant: person,
            category: Some(matter.0.into()),
            service_channel: Some(matter.2.into()),
            cause: Some(matter.1.into()),
            summary: matter.3.into(),
            description: matter.4.into(),
            amount,
        };
        let age_days = (now - received).num_days();
        let plan = plan(&mut rng, age_days);
        let head = Actor { user_id: outlet.head, role: Role::OutletHead, unit_path: outlet.unit.path.clone() };
        let teller = Actor { user_id: outlet.teller, role: Role::Teller, unit_path: outlet.unit.path.clone() };
        let sup = supervisors.iter().rfind(|(p, _)| outlet.unit.path.starts_with(p.as_str())).map(|(_, u)| u.clone());
        let liable = rng.gen_range(0..10) < 4;
        let respond_after = Duration::minutes(rng.gen_range(10..110));
        let decide_after = Duration::days(rng.gen_range(2..16));
        let store = store.clone();
        let permit = limit.clone().acquire_owned().await?;
        tasks.spawn(async move {
            let _permit = permit;
            let outcome = store.register(input).await?;
            let id = outcome.id();
            if matches!(outcome, xiaobao_store::RegisterOutcome::Merged { .. }) {
                return Ok::<_, anyhow::Error>(());
            }
            let mut t = received + Duration::minutes(40);
            let sup_actor = sup.as_ref().map(|s| Actor { user_id: s.id, role: s.role, unit_path: s.org_path.clone() });
            let mut handler: Option<Actor> = None;
            for step in plan {
                let (actor, action, at) = match step {
                    Step::Accept => (head.clone(), Action::Accept, t),
                    Step::Decline => {
                        (head.clone(), Action::Decline { reason: "非本行业务，已告知客户向相关机构反映".into() }, t)
                    }
                    Step::Respond => (
                        head.clone(),
                        Action::Respond { text: "已致电客户说明处理方案和时限".into() },
                        t + respond_after,
                    ),
                    Step::Extend => (
                        head.clone(),
                        Action::Extend { reason: "需调取交易记录和监控录像，情况复杂".into() },
                        t + Duration::days(10),
                    ),
                    Step::Escalate => (
                        head.clone(),
                        Action::Escalate {
                            to: None, reason: "网点权限内无法解决，提请上级处理".into(), overdue: None
                        },
                        t + Duration::days(1),
                    ),
                    Step::Pause => {
                        (head.clone(), Action::Pause { reason: "等待司法鉴定结果".into() }, t + Duration::days(1))
                    }
                    Step::Decide => {
                        let actor = head.clone();
                        let d = Decision {
                            liable,
                            root_cause: if liable { RootCause::ServiceFault } else { RootCause::Misunderstanding },
                            cause: None,
                            remedy: liable.then(|| "向客户致歉并退还相关费用".to_string()),
                            amount: liable.then(|| Money::from_fen(30_000)),
                            text: if liable {
                                "经核实，我行存在服务不到位的情况，已向您致歉并退还费用。".into()
                            } else {
                                "经核实，业务办理符合规定，已向您详细解释。".into()
                            },
                            // the teller who served the customer is held to account
                            liable_staff: if liable { vec![teller.user_id] } else { Vec::new() },
                        };
                        (actor, Action::Decide(d), t + decide_after)
                    }
                    Step::Close(feedback) => {
                        (teller.clone(), Action::Close { feedback, note: None }, t + decide_after + Duration::days(1))
                    }
                    Step::RequestReview => (
                        teller.clone(),
                        Action::RequestReview { reason: "客户对处理结果不满意，申请核查".into() },
                        t + decide_after + Duration::days(2),
                    ),
                    Step::Withdraw => (
                        teller.clone(),
                        Action::Withdraw { reason: "客户表示问题已自行解决，撤回投诉".into() },
                        t + Duration::hours(3),
                    ),
                };
                t = at;
                // Escalation moves the order up: the sub-branch supervisor handles it from then on.
                let actor = match (&handler, actor.role) {
                    (Some(h), Role::OutletHead) => h.clone(),
                    _ => actor,
                };
                let escalating = matches!(step, Step::Escalate);
                match store.act(ActInput { complaint_id: id, actor: actor.clone(), action, at }).await {
                    Ok(_) if escalating => handler = sup_actor.clone(),
                    Ok(_) => {}
                    Err(xiaobao_store::WriteError::Refused(_)) | Err(xiaobao_store::WriteError::NotFound) => break,
                    Err(e) => return Err(e.into()),
                }
            }
            Ok(())
        });
    }
    while let Some(r) = tasks.join_next().await {
        r??;
    }
    let states = store.complaint_state_counts().await?.into_iter().map(|(s, n)| (s.as_str().to_string(), n)).collect();
    // the service departments decided the older accountability the liable decisions proposed
    for b in ["bj.service", "sh.service"] {
        if let Some(svc) = store.user_by_username(b).await? {
            crate::demo_service::decide_accountability(store, &mut rng, &svc.org_path, svc.id).await?;
        }
    }
    Ok(Summary {
        outlets: outlets.len(),
        users,
        complaints: store.count_complaints().await?,
        states,
        ratings,
        tickets,
        inspections,
        fraud_interceptions,
        cp_reviews,
        weekly_reports,
    })
}

#[derive(Clone, Copy)]
enum Step {
    Accept,
    Decline,
    Respond,
    Extend,
    Escalate,
    Pause,
    Decide,
    Close(Feedback),
    RequestReview,
    Withdraw,
}

/// How far a complaint of this age has got: old ones are mostly closed, recent ones still open.
fn plan(rng: &mut StdRng, age_days: i64) -> Vec<Step> {
    use Step::*;
    let roll = rng.gen_range(0..100);
    if roll < 3 {
        return vec![Decline];
    }
    if roll < 6 {
        return vec![Accept, Withdraw];
    }
    let feedback = match rng.gen_range(0..10) {
        0..=6 => Feedback::Satisfied,
        7..=8 => Feedback::Dissatisfied,
        _ => Feedback::Unreachable,
    };
    let mut full = vec![Accept, Respond];
    if rng.gen_range(0..10) == 0 {
        full.push(Extend);
    }
    if rng.gen_range(0..12) == 0 {
        full.push(Escalate);
    }
    full.push(Decide);
    full.push(Close(feedback));
    if matches!(feedback, Feedback::Dissatisfied) && rng.gen_range(0..3) == 0 {
        full.push(RequestReview);
    }
    let keep = match age_days {
        0..=2 => rng.gen_range(0..=2),
        3..=10 => rng.gen_range(1..=4),
        11..=30 => rng.gen_range(2..=full.len()),
        _ => full.len(),
    };
    full.truncate(keep);
    if age_days < 20 && rng.gen_range(0..25) == 0 && full.len() >= 2 {
        full.truncate(2);
        full.push(Pause);
    }
    full
}
