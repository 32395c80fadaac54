"""Portal pages, one module per area: dashboard, partnerships (list, detail, moves), search
(steps 2-4), delivery (steps 5-8) and cities (directory, strategy, officers)."""
