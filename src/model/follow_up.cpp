#include "celltrial/model/follow_up.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "celltrial/core/error.hpp"
#include "celltrial/core/random.hpp"
#include "celltrial/model/model.hpp"

namespace celltrial {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// A uniform on (0, 1], whose logarithm is finite.
double open_uniform(Engine& g) { return static_cast<double>((g() >> 11) + 1) * 0x1.0p-53; }

// The primary visit's index among the scheduled visits.
std::size_t primary_index(const Scenario& s) {
  const auto& m = s.design.visits_months;
  const auto k = static_cast<std::size_t>(std::find(m.begin(), m.end(), s.analysis.primary_visit_months) - m.begin());
  CELLTRIAL_ASSERT(k < m.size());
  return k;
}
}  // namespace

FollowUp::FollowUp(const Scenario& s, const std::vector<double>& simulated_months, double dropout_rate_per_month)
    : sc_(s),
      months_(s.design.visits_months),
      primary_(primary_index(s)),
      lambda_(dropout_rate_per_month),
      curve_(s, months_),
      effect_(s, months_, primary_) {
  on_progress_ = simulated_months.size() > 1;
  simulated_ = simulated_months.size();
  CELLTRIAL_ASSERT(!on_progress_ || simulated_ == primary_ + 1);
  if (s.design.delayed_start_month > 0) {
    delayed_month_ = s.design.delayed_start_month;
    const auto active = s.active_arms();
    CELLTRIAL_ASSERT(!active.empty());
    delayed_arm_ = static_cast<int>(active.front());
  }
  changes_primary_ = !s.design.intercurrent_events.empty() || s.design.missed_visit > 0 || s.design.mnar();
  if (s.population.outcome_model == OutcomeModel::generic) {
    generic_.emplace(s, dropout_rate_per_month);
    changes_primary_ = changes_primary_ || s.design.dropout_per_point != 0;
  }
}

double FollowUp::treatment(std::size_t arm, double month, double scale, double het) const {
  if (!(month > 0)) return 0.0;
  const double e = effect_at(sc_.arms[arm], month);
  const double primary_effect = effect_.at_visit(arm, primary_);
  return e * scale + het * (primary_effect != 0 ? e / primary_effect : 1.0);
}

void FollowUp::run(const Model& m, std::uint64_t seed, std::uint64_t trial, TrialData& d) const {
  if (generic_) {
    generic_->run(seed, trial, d);
    return;
  }
  const std::size_t n = d.size(), V = months_.size();
  CELLTRIAL_ASSERT(d.latent.size() == n);
  d.resize_visits(V);
  Engine noise = make_stream(seed, trial, Purpose::visits);
  Engine drop = make_stream(seed, trial, Purpose::follow_up);
  Engine events = make_stream(seed, trial, Purpose::events);
  Engine missed = make_stream(seed, trial, Purpose::missed_visits);
  Engine delayed = make_stream(seed, trial, Purpose::delayed);
  const auto& D = sc_.design;
  const auto& ev = D.intercurrent_events;
  const double noise_sd = curve_.noise_sd(), last_month = months_.back();
  std::array<double, kMaxEvents> at{};  // each event's month for the current child (infinite: never)

  for (std::size_t j = 0; j < n; ++j) {
    const TrialData::Latent& L = d.latent[j];
    const std::size_t a = d.arm[j], level = d.level[j];
    const bool active = sc_.arms[a].role == ArmRole::active;
    const double age = d.age[j];
    double* vc = d.visit_change.data() + j * V;
    double* hy = d.hypothetical.data() + j * V;
    std::uint8_t* status = d.status.data() + j * V;

    // The trajectory without events: the outcome model's values where it simulated them, the same
    // curve with assessments of their own elsewhere.
    for (std::size_t v = 0; v < V; ++v) {
      if (v == primary_) {
        hy[v] = d.change[j];
      } else if (on_progress_ && v < simulated_) {
        hy[v] = vc[v];  // left there by the outcome model
      } else {
        const double t = months_[v];
        const double lost = curve_.decline_on() ? curve_.decline(static_cast<int>(level), age + t) - L.d0 : 0.0;
        const double error = noise_sd * std_normal(noise);
        hy[v] = Trajectory::change(L.remaining, curve_.gain_fraction(level, v), lost, L.progress, curve_.visit_years(v),
                                   effect_.at_visit(a, v) * L.scale, L.het * effect_.het_at_visit(a, v),
                                   effect_.sham_at_visit(v), error, L.e0);
      }
    }

    // The delayed group: the first active arm's product at delayed_start_month, at the child's age,
    // weight and dose then; the effect starts at that month.
    double delayed_scale = 0, delayed_het = 0;
    d.treated_month[j] = active ? 0.0 : kNaN;
    if (delayed_arm_ >= 0 && !active) {
      const auto fa = static_cast<std::size_t>(delayed_arm_);
      const Arm& arm = sc_.arms[fa];
      Child c;
      c.age = age + delayed_month_;
      c.level = static_cast<int>(level);
      c.male = d.male[j] != 0;
      c.hla = d.hla[j];
      const double grown = L.weight > 0 ? m.median_weight(c.age, c.male) / m.median_weight(age, c.male) : 1.0;
      c.weight = L.weight * grown;
      // A cord blood unit keeps its cells: the dose per kg falls as the child grows.
      c.screening_dose = d.planned_dose[j] / grown;
      const double dose = arm.product == ProductType::ucb ? c.screening_dose
                          : arm.product == ProductType::msc ? m.msc_dose(arm, c)
                                                            : 0.0;
      delayed_scale = EffectModel::individual(effect_.plan(fa), m.effect_multiplier(arm, c, dose, c.hla) * d.effect_scale[fa],
                                              delayed, delayed_het);
      for (std::size_t v = 0; v < V; ++v)
        hy[v] += treatment(fa, months_[v] - delayed_month_, delayed_scale, delayed_het);
      d.treated_month[j] = delayed_month_;
    }
    // The child's treatment effect at a month (for an event that stops it).
    auto treatment_at = [&](double t) {
      if (active) return treatment(a, t, L.scale, L.het);
      return delayed_arm_ >= 0 ? treatment(static_cast<std::size_t>(delayed_arm_), t - delayed_month_, delayed_scale, delayed_het)
                               : 0.0;
    };

    // Intercurrent events: each kind at most once, at an exponential time of the arm's rate.
    double first = kNaN;
    std::uint8_t kind = kNoEvent;
    for (std::size_t k = 0; k < ev.size(); ++k) {
      const double u = open_uniform(events), rate = ev[k].rate(a);
      at[k] = rate > 0 ? -std::log(u) / rate : std::numeric_limits<double>::infinity();
      if (at[k] < last_month && !(at[k] >= first)) {
        first = at[k];
        kind = static_cast<std::uint8_t>(k);
      }
    }
    d.event_month[j] = first;
    d.event_kind[j] = kind;
    for (std::size_t v = 0; v < V; ++v) {
      const double t = months_[v];
      double x = hy[v], stop = std::numeric_limits<double>::infinity();
      for (std::size_t k = 0; k < ev.size(); ++k) {
        if (!(at[k] < t)) continue;
        x += ev[k].shift_points + ev[k].shift_per_month * (t - at[k]);
        if (ev[k].stops_treatment) stop = std::min(stop, at[k]);
      }
      if (stop < t) x -= treatment_at(t) - treatment_at(stop);
      vc[v] = x;
    }

    // Dropout: its month within the interval the outcome model found it in, or (after the primary
    // visit, or without dropout on progress) from the constant hazard of its level.
    const double gm = D.dropout_gmfcs_multiplier[level];
    double out_month = kNaN;
    if (on_progress_) {
      const std::size_t k = L.drop_visit;
      if (k < simulated_) {
        const double from = k ? months_[k - 1] : 0.0, width = months_[k] - from;
        const double prev = k ? hy[k - 1] : 0.0;
        const double rate = lambda_ * gm * std::exp(D.dropout_per_point * prev);
        out_month = from + DropoutModel::time_within(uniform01(drop), rate, width);
      }
    } else if (!d.observed[j]) {
      out_month = DropoutModel::time_within(uniform01(drop), lambda_ * gm, months_[primary_]);
    }
    for (std::size_t v = primary_ + 1; v < V && std::isnan(out_month); ++v) {
      const double width = months_[v] - months_[v - 1];
      const double rate = lambda_ * gm * (on_progress_ ? std::exp(D.dropout_per_point * vc[v - 1]) : 1.0);
      if (uniform01(drop) < -std::expm1(-rate * width))
        out_month = months_[v - 1] + DropoutModel::time_within(uniform01(drop), rate, width);
    }
    d.dropout_month[j] = out_month;

    // After dropout the unobserved trajectory moves by the arm's shift per month (missing not at random).
    const double shift = D.mnar_shift(a);
    if (shift != 0 && !std::isnan(out_month))
      for (std::size_t v = 0; v < V; ++v)
        if (months_[v] > out_month) {
          vc[v] += shift * (months_[v] - out_month);
          hy[v] += shift * (months_[v] - out_month);
        }

    // Which visits are assessed: none from dropout on; before it, each missed at random.
    for (std::size_t v = 0; v < V; ++v) {
      VisitStatus st = VisitStatus::observed;
      if (months_[v] >= out_month) st = VisitStatus::dropped_out;
      if (D.missed_visit > 0 && uniform01(missed) < D.missed_visit && st == VisitStatus::observed) st = VisitStatus::missed;
      status[v] = static_cast<std::uint8_t>(st);
    }
    if (changes_primary_) {
      d.change[j] = vc[primary_];
      d.observed[j] = status[primary_] == static_cast<std::uint8_t>(VisitStatus::observed);
    }
  }
}

}  // namespace celltrial
