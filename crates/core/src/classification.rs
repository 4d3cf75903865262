//! Classification on the three dimensions of JR/T 0169-2018 (金融消费者投诉统计分类及编码 银行业金融机构):
//! service channel (where the disputed business happened), business type (the complaint's `category`)
//! and cause. Codes are two digits per level (`03` bank cards → `0302` credit cards); `99` is "other".
//! These are the seeds of editable tables.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    ServiceChannel,
    Category,
    Cause,
    /// Why a customer rated the counter 1 or 2 (DESIGN §3), an editable list like the others.
    DissatisfactionReason,
}

impl Dimension {
    pub const ALL: [Dimension; 4] = [Self::ServiceChannel, Self::Category, Self::Cause, Self::DissatisfactionReason];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ServiceChannel => "service_channel",
            Self::Category => "category",
            Self::Cause => "cause",
            Self::DissatisfactionReason => "dissatisfaction_reason",
        }
    }

    pub fn from_str_opt(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.as_str() == s)
    }
}

/// One class of one dimension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Class {
    pub dimension: Dimension,
    pub code: &'static str,
    pub name_zh: &'static str,
    pub name_en: &'static str,
}

/// The parent code of a class code (`0302` → `03`), none for a large class.
pub fn parent_code(code: &str) -> Option<&str> {
    (code.len() > 2).then(|| &code[..code.len() - 2])
}

/// A class code: 2, 4 or 6 digits.
pub fn is_valid_code(code: &str) -> bool {
    matches!(code.len(), 2 | 4 | 6) && code.bytes().all(|b| b.is_ascii_digit())
}

macro_rules! classes {
    ($dim:expr; $($code:literal $zh:literal $en:literal;)*) => {
        &[$(Class { dimension: $dim, code: $code, name_zh: $zh, name_en: $en }),*]
    };
}

pub const SERVICE_CHANNELS: &[Class] = classes![Dimension::ServiceChannel;
    "01" "前台" "front office";
    "0101" "营业场所" "outlet premises";
    "0102" "自助机具" "self-service machines";
    "0103" "电子渠道" "electronic channels";
    "010301" "网上银行" "online banking";
    "010302" "电话银行" "phone banking";
    "010303" "手机银行" "mobile banking app";
    "010304" "互联网平台" "public network platforms";
    "010305" "短信渠道" "SMS";
    "010399" "其他电子渠道" "other electronic channels";
    "0104" "第三方渠道" "third-party channels";
    "02" "中后台" "middle and back office";
    "99" "其他" "other";
];

pub const CATEGORIES: &[Class] = classes![Dimension::Category;
    "01" "人民币储蓄" "RMB savings";
    "02" "贷款" "loans";
    "0201" "个人住房贷款" "residential mortgages";
    "0202" "个人消费贷款" "personal consumer loans";
    "0203" "个人经营性贷款" "personal business loans";
    "0299" "其他贷款" "other loans";
    "03" "银行卡" "bank cards";
    "0301" "借记卡" "debit cards";
    "0302" "信用卡" "credit cards";
    "04" "支付结算" "payment and settlement";
    "05" "人民币管理" "RMB management";
    "06" "个人金融信息" "personal financial information";
    "07" "外汇" "foreign exchange";
    "08" "贵金属" "precious metals";
    "09" "自营理财" "own wealth management";
    "10" "代理业务" "agency business";
    "1001" "代理保险" "agency insurance";
    "1002" "代理基金" "agency funds";
    "1003" "代理国债" "agency government bonds";
    "1099" "其他代理业务" "other agency business";
    "11" "债务催收" "debt collection";
    "99" "其他" "other";
];

pub const CAUSES: &[Class] = classes![Dimension::Cause;
    "01" "服务态度及服务质量" "service attitude and quality";
    "02" "服务设施、设备、业务系统" "facilities, equipment and systems";
    "03" "管理制度、业务规则与流程" "rules and processes";
    "04" "营销方式和手段" "marketing practices";
    "05" "信息披露" "information disclosure";
    "06" "产品收益" "product returns";
    "07" "自主选择权" "freedom of choice";
    "08" "合同条款" "contract terms";
    "09" "消费者资金安全" "consumers' fund security";
    "10" "消费者信息安全" "consumers' information security";
    "11" "债务催收方式和手段" "debt collection methods";
    "12" "定价收费" "pricing and fees";
    "99" "其他" "other";
];

/// Every seeded class of every dimension.
pub fn seed() -> impl Iterator<Item = &'static Class> {
    SERVICE_CHANNELS.iter().chain(CATEGORIES).chain(CAUSES).chain(DISSATISFACTION_REASONS)
}

/// The reasons an evaluator offers after a score of 1 or 2 (DESIGN §3).
pub const DISSATISFACTION_REASONS: &[Class] = classes![Dimension::DissatisfactionReason;
    "01" "等候时间长" "long wait";
    "02" "服务态度" "attitude";
    "03" "业务不熟练" "unfamiliar with the business";
    "04" "手续繁琐" "complicated procedure";
    "05" "环境设施" "environment and facilities";
    "99" "其他" "other";
];

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn seeds_are_unique_valid_and_have_their_parents() {
        let mut seen = HashSet::new();
        for c in seed() {
            assert!(is_valid_code(c.code), "{}", c.code);
            assert!(seen.insert((c.dimension, c.code)), "duplicate {}", c.code);
        }
        for c in seed() {
            if let Some(p) = parent_code(c.code) {
                assert!(seen.contains(&(c.dimension, p)), "{} has no parent {p}", c.code);
            }
        }
    }

    #[test]
    fn every_dimension_has_other() {
        for d in Dimension::ALL {
            assert!(seed().any(|c| c.dimension == d && c.code == "99"));
        }
    }
}
