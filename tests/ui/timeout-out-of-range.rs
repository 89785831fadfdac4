// A timeout longer than the executor can wait, in every form a number can take.
telemachy::workflow! {
    pub workflow largest {
        name: "largest",
        timeout: 18446744073709551615,
    }
}

telemachy::workflow! {
    pub workflow beyond_u64 {
        name: "beyond-u64",
        timeout: 99999999999999999999999,
    }
}

telemachy::workflow! {
    pub workflow just_over {
        name: "just-over",
        timeout: 3153600001,
    }
}

telemachy::workflow! {
    pub workflow decimal {
        name: "decimal",
        timeout: 1e300,
    }
}

telemachy::workflow! {
    pub workflow at_the_bound {
        name: "at-the-bound",
        timeout: 3153600000,
    }
}

fn main() {}
