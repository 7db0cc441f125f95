"""Customer lifetime value models: pure numerics (numpy/scipy only, no Django import).

Time unit: weeks; transactions on the same customer-day count once (design section 5).
Modules: rfm (summaries from a transaction log), bgnbd / mbgnbd / pareto_nbd (repeat-purchase
counts), gamma_gamma (spend), sbg (contractual retention), discount (rates and discounted value).
"""
