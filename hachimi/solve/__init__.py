"""Theory + persona facts -> violation atoms, via clingo (Z3 rules arrive as ASP tables)."""
