"""Views of a scan's Sites: text/json/github, SARIF, the scope inventory, the adapter audit, baselines."""
