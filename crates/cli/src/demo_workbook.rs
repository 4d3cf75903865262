//! The demo bank's workbook: a year of fraud interceptions at every outlet — the scenarios and
//! customer groups seen at Chinese counters, amounts from a few thousand yuan to a pension's
//! savings, one or two staff each, the police called for the serious ones.

use anyhow::Result;
use chrono::Duration;
use rand::Rng;
use rand::rngs::StdRng;
use xiaobao_core::money::Money;
use xiaobao_core::workbook::fraud::{Interception, Place, Scenario};
use xiaobao_core::workbook::{CustomerGroup, Register};
use xiaobao_store::Store;
use xiaobao_store::workbook::EntryWrite;

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
            };
            let recorded = occurred_at + Duration::minutes(rng.gen_range(10..240));
            store.add_entry(&w, staff[0].0, recorded.min(now).timestamp_millis()).await?;
            made += 1;
        }
    }
    Ok(made)
}
