telemachy::workflow! {
    pub workflow audit {
        name: "codebase\taudit",
    }
}

telemachy::workflow! {
    pub workflow empty {
        name: "",
    }
}

fn main() {}
