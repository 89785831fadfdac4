telemachy::workflow! {
    pub codebase_audit {
        name: "codebase-audit",
    }
}

fn main() {}
