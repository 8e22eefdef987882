//! One file per case; `Other` is declared here, so the files that use it cannot see its fields.

pub mod drain_set;
pub mod entry;
pub mod entry_group;
pub mod entry_remove;
pub mod entry_typed;
pub mod glob;
pub mod in_macro;
pub mod macro_remove;
pub mod nested_select;
pub mod nested_get;
pub mod nested_remove;
pub mod select_kid;
pub mod stringify;
pub mod ufcs_remove;
pub mod unknown;

pub struct Other {
    pub pending: std::collections::BTreeMap<u64, u64>,
}
