//! `jalon graph`: the stage graph for documents and reviews.

use crate::{jalon, root, stdout};

#[test]
fn mermaid_and_dot_show_needs_and_decision_branches() {
    for format in ["mermaid", "dot"] {
        let output = jalon(
            &root(),
            &[
                "graph",
                "definitions/editions/2024-2025.yaml",
                "--format",
                format,
            ],
        );
        assert_eq!(output.status.code(), Some(0));
        insta::assert_snapshot!(format!("graph-{format}"), stdout(&output));
    }
}
