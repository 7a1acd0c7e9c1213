; R1: a student's age fits the grade. Nominal age is grade+5..grade+6 (school entry at 6,
; Compulsory Education Law of the PRC, Art. 11); one year of tolerance either side.
(declare-const enrollment.age Int)
(declare-const enrollment.grade Int)
(assert (! (and (<= (+ enrollment.grade 4) enrollment.age)
                (<= enrollment.age (+ enrollment.grade 7)))
           :named age-grade))
