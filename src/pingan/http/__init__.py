"""HTTP plumbing shared by every router: dependencies, problem details, limits, paging."""
