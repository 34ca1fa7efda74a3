"""Dashboard, ledger (台账) and the summary report (专题报告)."""
