use super::*;

fn p(year: i32, value: f64) -> Point {
    Point { year, value }
}

#[test]
fn a_place_moves_with_the_sign_a_reader_expects() {
    use Better::*;
    assert_eq!(Change::between(Some(10), 7, LowerPlace), Change::Better(3));
    assert_eq!(Change::between(Some(7), 10, LowerPlace), Change::Worse(3));
    // Where a higher place is better the same move is the other way.
    assert_eq!(Change::between(Some(10), 7, HigherPlace), Change::Worse(3));
    assert_eq!(Change::between(Some(7), 10, HigherPlace), Change::Better(3));
    assert_eq!(Change::between(Some(5), 5, LowerPlace), Change::Same);
    assert_eq!(Change::between(None, 5, LowerPlace), Change::New);
    assert_eq!(Change::Better(3).arrow(), "▲ 3");
    assert_eq!(Change::Worse(2).arrow(), "▼ 2");
}

#[test]
fn growth_against_a_target_computed_by_hand() {
    let up = Direction::HigherIsBetter;
    let target = Some(p(2030, 150.0));
    // Observed 1.1^(1/5) − 1 = 1.92 %, required 1.5^(1/15) − 1 = 2.74 %:
    // ratio 0.70, between 0.6 and 0.95.
    assert_eq!(
        status(p(2015, 100.0), p(2020, 110.0), target, up),
        Some(Status::NeedsAcceleration)
    );
    // 1.2^(1/5) − 1 = 3.71 %: ratio 1.36.
    assert_eq!(
        status(p(2015, 100.0), p(2020, 120.0), target, up),
        Some(Status::OnTrack)
    );
    assert_eq!(
        status(p(2015, 100.0), p(2020, 100.0), target, up),
        Some(Status::LimitedProgress)
    );
    assert_eq!(
        status(p(2015, 100.0), p(2020, 95.0), target, up),
        Some(Status::Deterioration)
    );
    assert_eq!(
        status(p(2015, 100.0), p(2020, 150.0), target, up),
        Some(Status::Achieved)
    );
    // A base that met the target and a latest value that no longer does.
    assert_eq!(
        status(p(2015, 160.0), p(2020, 140.0), target, up),
        Some(Status::Deterioration)
    );
}

#[test]
fn decline_is_good_honours_the_direction() {
    let down = Direction::LowerIsBetter;
    let target = Some(p(2030, 4.0));
    // Infant mortality 8.0 → 6.0: observed 0.75^(1/5) − 1 = −5.59 %, the
    // target needs 0.5^(1/15) − 1 = −4.52 %: ratio 1.24.
    assert_eq!(
        status(p(2015, 8.0), p(2020, 6.0), target, down),
        Some(Status::OnTrack)
    );
    // Rising instead: a negative ratio.
    assert_eq!(
        status(p(2015, 8.0), p(2020, 9.0), target, down),
        Some(Status::Deterioration)
    );
    assert_eq!(
        status(p(2015, 8.0), p(2020, 3.9), target, down),
        Some(Status::Achieved)
    );
    // Without a target: a fall of 2.09 % a year is progress.
    assert_eq!(
        status(p(2015, 100.0), p(2020, 90.0), None, down),
        Some(Status::OnTrack)
    );
    assert_eq!(
        status(p(2015, 100.0), p(2020, 110.0), None, down),
        Some(Status::Deterioration)
    );
}

#[test]
fn a_target_of_zero_compares_yearly_changes() {
    let down = Direction::LowerIsBetter;
    let zero = Some(p(2030, 0.0));
    // Deaths on the roads 10 → 6 in four years: −1 a year; the target
    // needs (0 − 10) / 10 = −1 a year: ratio 1.
    assert_eq!(
        status(p(2020, 10.0), p(2024, 6.0), zero, down),
        Some(Status::OnTrack)
    );
    // 10 → 9: −0.25 a year, ratio 0.25.
    assert_eq!(
        status(p(2020, 10.0), p(2024, 9.0), zero, down),
        Some(Status::LimitedProgress)
    );
    assert_eq!(
        status(p(2020, 10.0), p(2024, 12.0), zero, down),
        Some(Status::Deterioration)
    );
    assert_eq!(
        status(p(2020, 10.0), p(2024, 0.0), zero, down),
        Some(Status::Achieved)
    );
    // A zero base without a target: the sign of the change decides.
    let up = Direction::HigherIsBetter;
    assert_eq!(
        status(p(2020, 0.0), p(2024, 3.0), None, up),
        Some(Status::LimitedProgress)
    );
    assert_eq!(
        status(p(2020, 0.0), p(2024, -1.0), None, up),
        Some(Status::Deterioration)
    );
}

#[test]
fn growth_alone_uses_the_open_sdg_thresholds() {
    let up = Direction::HigherIsBetter;
    // 1.92 % > 1 %; 1.03^(1/5) − 1 = 0.59 % > 0.5 %; 0.40 % ≤ 0.5 %.
    assert_eq!(
        status(p(2015, 100.0), p(2020, 110.0), None, up),
        Some(Status::OnTrack)
    );
    assert_eq!(
        status(p(2015, 100.0), p(2020, 103.0), None, up),
        Some(Status::NeedsAcceleration)
    );
    assert_eq!(
        status(p(2015, 100.0), p(2020, 102.0), None, up),
        Some(Status::LimitedProgress)
    );
    assert_eq!(
        status(p(2015, 100.0), p(2020, 98.0), None, up),
        Some(Status::Deterioration)
    );
}

#[test]
fn a_band_is_a_target_on_the_distance_to_it() {
    let band = Direction::Within {
        low: 2.0,
        high: 4.0,
    };
    assert_eq!(
        status(p(2015, 8.0), p(2020, 3.0), None, band),
        Some(Status::Achieved)
    );
    // Distance 4 → 2 in five years (−0.4 a year); reaching 0 by 2030 needs
    // −4 / 15 = −0.27 a year: ratio 1.5.
    assert_eq!(
        status(p(2015, 8.0), p(2020, 6.0), Some(p(2030, 3.0)), band),
        Some(Status::OnTrack)
    );
    assert_eq!(
        status(p(2015, 8.0), p(2020, 9.0), Some(p(2030, 3.0)), band),
        Some(Status::Deterioration)
    );
}

#[test]
fn no_status_without_years_between() {
    let up = Direction::HigherIsBetter;
    assert_eq!(status(p(2020, 1.0), p(2020, 2.0), None, up), None);
    assert_eq!(status(p(2020, 1.0), p(2019, 2.0), None, up), None);
    assert!(Status::Deterioration.off_track() && !Status::NeedsAcceleration.off_track());
}
