"""The statistical reports a justice bureau asks for: the monthly report (人民调解工作统计月报)."""
