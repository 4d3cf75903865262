//! The classification's names (business category, service channel, cause: the `classes` table's
//! `name_zh` and `name_en`) in the reader's language, for pages and exports alike.

use super::Lang;
use std::collections::HashMap;
use xiaobao_core::classification::Dimension;
use xiaobao_store::ClassRow;

/// The classification's names by dimension and code.
#[derive(Debug, Clone, Default)]
pub struct ClassNames(HashMap<(Dimension, String), (String, String)>);

impl ClassNames {
    pub fn new(rows: &[ClassRow]) -> Self {
        Self(rows.iter().map(|c| ((c.dimension, c.code.clone()), (c.name_zh.clone(), c.name_en.clone()))).collect())
    }

    /// Every class of the store.
    pub async fn load(store: &xiaobao_store::Store) -> Result<Self, xiaobao_store::StoreError> {
        Ok(Self::new(&store.classes(None).await?))
    }

    /// The class's name in the reader's language (the Chinese one when the English is blank); None
    /// when the table does not have the code.
    pub fn name(&self, lang: Lang, dim: Dimension, code: &str) -> Option<&str> {
        self.0.get(&(dim, code.to_string())).map(|(zh, en)| {
            let en = if en.trim().is_empty() { zh } else { en };
            lang.choose(zh.as_str(), en.as_str())
        })
    }

    /// "01 Deposits": the code with its name in the reader's language (the code alone when the table
    /// no longer has it).
    pub fn label(&self, lang: Lang, dim: Dimension, code: &str) -> String {
        match self.name(lang, dim, code) {
            Some(name) => format!("{code} {name}"),
            None => code.to_string(),
        }
    }
}

/// The whole classification, rows and names, as pages hold it (`AppState::classes`).
#[derive(Debug, Clone, Default)]
pub struct Classes {
    pub rows: Vec<ClassRow>,
    pub names: ClassNames,
}

impl Classes {
    pub fn new(rows: Vec<ClassRow>) -> Self {
        Self { names: ClassNames::new(&rows), rows }
    }

    /// The classes of one dimension, retired ones included, in the store's order.
    pub fn of(&self, dim: Dimension) -> impl Iterator<Item = &ClassRow> {
        self.rows.iter().filter(move |c| c.dimension == dim)
    }
}
