telemachy::workflow! {
    pub workflow audit {
        name: "audit",
        timeout: 0,
    }
}

fn main() {}
