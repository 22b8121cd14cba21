"""Family search by DNA kinship (团圆行动·国家的孩子寻亲): cases, profiles, likelihood ratios,
ranked candidates, dual review and signed reports; kept apart from every criminal record."""
