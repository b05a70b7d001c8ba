"""Schemathesis hooks for the live fuzzing of rotagraph's GraphQL endpoint (loaded by .ci/live-checks
through SCHEMATHESIS_HOOKS).

- A strategy for the `OdsCode` scalar: Schemathesis knows GraphQL's built-in scalars and a few common
  ones (Date among them) but refuses to test the operations that take an unknown one.
- The check `no_5xx_status`, the only one the run enables: the built-in `not_a_server_error` also
  fails on every GraphQL error that carries a `path` (it takes resolver errors for server faults),
  which includes rotagraph's by-design FORBIDDEN answers to callers without access. 4xx answers (400
  under application/graphql-response+json, 413, 429 over budget) are by design too. Connection
  errors and timeouts are reported by Schemathesis as errors and fail the run without any check.
"""

from hypothesis import strategies as st

import schemathesis
from schemathesis.graphql import nodes

# ODS codes in the published shapes (`QMM`, `T6Y0W`, `RGN`, `U59980`, `F81749`, `FW844`), some of them
# in the demo network (regions Y56..Y63 and the ICBs' three-letter Q codes), in lower case or padded
# (the scalar upper-cases and trims), and arbitrary text, which the server must refuse with a
# GraphQL error rather than a 5xx.
ODS_CODES = st.one_of(
    st.sampled_from(["Y56", "Y58", "Y59", "Y60", "Y61", "Y62", "Y63", "QOX", "QHL", "T6Y0W"]),
    st.from_regex(r"[A-Z0-9]{3,6}", fullmatch=True),
    st.from_regex(r" ?[a-zA-Z][a-zA-Z0-9]{2,5} ?", fullmatch=True),
    st.text(max_size=12),
)

schemathesis.graphql.scalar("OdsCode", ODS_CODES.map(nodes.String))


@schemathesis.check
def no_5xx_status(ctx, response, case):
    """Fail on any 5xx response."""
    if response.status_code >= 500:
        raise AssertionError(f"HTTP {response.status_code}: {response.text[:500]}")
