telemachy::workflow! {
    pub workflow audit {
        name: "codebase audit",
    }
}

telemachy::workflow! {
    pub workflow empty {
        name: "",
    }
}

fn main() {}
