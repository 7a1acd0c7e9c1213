"""Population control: plan files, exact integer allocation (Z3), feasibility against the theory, slots."""
