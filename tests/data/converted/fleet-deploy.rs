// The workflow `fleet-security-analysis`, as `workflow!` source: `cargo check` checks it, and
// its binary runs it with the command line every workflow binary has.

telemachy::workflow! {
    /// Deploy a fleet of three docker-based AchaeanFleet agents to perform a distributed security analysis across three microservices. Each agent analyses one service independently; a lead agent aggregates the findings into an executive summary.
    pub workflow fleet_security_analysis {
        name: "fleet-security-analysis",
        teardown: on_completion,

        agent scout_alpha {
            name: "scout-alpha",
            model: "claude-sonnet-4-5",
            working_dir: "/workspace/services/auth-service",
            runtime: docker,
            image: "ghcr.io/homericintelligence/achaeanfleet:latest",
            cpus: 2,
            memory: "4g",
        }

        agent scout_beta {
            name: "scout-beta",
            model: "claude-sonnet-4-5",
            working_dir: "/workspace/services/payment-service",
            runtime: docker,
            image: "ghcr.io/homericintelligence/achaeanfleet:latest",
            cpus: 2,
            memory: "4g",
        }

        agent scout_gamma {
            name: "scout-gamma",
            model: "claude-sonnet-4-5",
            working_dir: "/workspace/services/notification-service",
            runtime: docker,
            image: "ghcr.io/homericintelligence/achaeanfleet:latest",
            cpus: 2,
            memory: "4g",
        }

        agent lead_analyst {
            name: "lead-analyst",
            model: "claude-opus-4-5",
            working_dir: "/workspace/reports",
            runtime: docker,
            image: "ghcr.io/homericintelligence/achaeanfleet:latest",
            cpus: 4,
            memory: "8g",
        }

        team security_fleet {
            name: "security-fleet",
            members: [scout_alpha, scout_beta, scout_gamma, lead_analyst],

            task audit_auth_service_for_security {
                subject: "Audit auth-service for security vulnerabilities",
                description: "Analyse the auth-service codebase at /workspace/services/auth-service. \
                    Check for: SQL injection, broken authentication, insecure token handling, \
                    missing input validation, and hardcoded credentials. Write findings \
                    to /workspace/reports/auth-service-findings.md.\n",
                assignee: scout_alpha,
            }

            task audit_payment_service_for_security {
                subject: "Audit payment-service for security vulnerabilities",
                description: "Analyse the payment-service codebase at /workspace/services/payment-service. \
                    Check for: PCI-DSS compliance gaps, insecure direct object references, \
                    insufficient logging, and cryptographic weaknesses. Write findings \
                    to /workspace/reports/payment-service-findings.md.\n",
                assignee: scout_beta,
            }

            task audit_notification_service_for_security {
                subject: "Audit notification-service for security vulnerabilities",
                description: "Analyse the notification-service codebase at /workspace/services/notification-service. \
                    Check for: SSRF, template injection, unvalidated redirects, and overly \
                    permissive CORS configuration. Write findings to /workspace/reports/notification-service-findings.md.\n",
                assignee: scout_gamma,
            }

            task aggregate_findings_into_executive {
                subject: "Aggregate findings into executive security report",
                description: "Read all three findings files under /workspace/reports/. \
                    Produce an executive summary at /workspace/reports/SECURITY-REPORT.md \
                    that includes: overall risk rating, top 5 critical findings ranked \
                    by severity, a recommended remediation roadmap, and per-service risk \
                    scores.\n",
                assignee: lead_analyst,
                after: [audit_auth_service_for_security, audit_payment_service_for_security, audit_notification_service_for_security],
            }
        }
    }
}

fn main() -> std::process::ExitCode {
    fleet_security_analysis::main()
}
