; R11: a high physical-and-mental-health value rating needs a compatible mental-health profile.
; Enumerations are encoded as their ordinal index, low -> high:
;   level: low=0 fairly_low=1 medium=2 upper_middle=3 fairly_high=4 high=5
;   risk:  low=0 mild=1 moderate=2 high=3
(declare-const values.levels.physical_mental_health Int)
(declare-const mental_health.overall_state Int)
(declare-const mental_health.depression_risk Int)
(declare-const mental_health.anxiety_risk Int)
(assert (! (=> (>= values.levels.physical_mental_health 4)
               (and (>= mental_health.overall_state 2)
                    (<= mental_health.depression_risk 2)
                    (<= mental_health.anxiety_risk 2)))
           :named health-consistency))
