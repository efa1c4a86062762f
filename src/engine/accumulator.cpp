#include "celltrial/engine/accumulator.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <limits>
#include <stdexcept>
#include <string>

#include "celltrial/core/error.hpp"

namespace celltrial {

Accumulator::Accumulator(std::size_t arms, std::size_t comparisons, std::vector<double> truth)
    : arms_(arms), comparisons_(comparisons), truth_(std::move(truth)) {
  CELLTRIAL_ASSERT(arms_ <= kMaxArms && comparisons_ < kMaxArms && truth_.size() == comparisons_);
}

Accumulator::Accumulator(std::size_t arms, std::size_t comparisons, std::vector<double> truth, std::size_t family,
                         std::size_t claims, SubgroupTruth subgroup_truth)
    : Accumulator(arms, comparisons, std::move(truth)) {
  sub_truth_ = std::move(subgroup_truth);
  sub_.resize(sub_truth_.inside.size());
  CELLTRIAL_ASSERT(sub_.size() == sub_truth_.prevalence.size() * comparisons_);
  family_ = family;
  claims_.assign(claims, 0);
}

void Accumulator::add_comparison(ComparisonAccumulator& a, const ComparisonResult& x) {
  if (!x.estimable) return;
  ++a.estimable;
  a.rejections += x.reject;
  a.rejections_favourable += x.reject_favourable;
  a.rejections_unadjusted_favourable += x.reject_unadjusted_favourable;
  a.covered += x.covered;
  moments(a.estimate, x.estimate);
  moments(a.se, x.se);
  const double d = x.estimate - x.truth;
  moments(a.error, d);
  moments(a.truth, x.truth);
  moments(a.squared_error, d * d);
}

void Accumulator::add(const TrialResult& r) {
  ++trials_;
  bool any = false, all = true;
  for (std::size_t c = 0; c < comparisons_; ++c) {
    const ComparisonResult& x = r.comparisons[c];
    any = any || x.reject;
    all = all && x.reject;
    add_comparison(comp_[c], x);
  }
  for (std::size_t k = 0; k < sub_.size(); ++k) {
    const SubgroupResult& x = r.subgroups[k];
    SubgroupAccumulator& a = sub_[k];
    if (!x.applies) continue;
    add_comparison(a.inside, x.inside);
    add_comparison(a.outside, x.outside);
    moments(a.analysed, static_cast<double>(x.analysed_inside));
    a.empty += x.analysed_inside == 0;
    if (x.interaction_estimable) {
      ++a.interaction_estimable;
      a.interaction_rejections += x.interaction_reject;
      moments(a.interaction, x.interaction);
      moments(a.interaction_se, x.interaction_se);
    }
  }
  if (family_ > 0) {
    bool fany = false, fav = false, fall = true;
    for (std::size_t i = 0; i < family_; ++i) {
      fany = fany || r.family_reject[i];
      fav = fav || r.family_favourable[i];
      fall = fall && r.family_favourable[i];
    }
    family_any_ += fany;
    family_any_fav_ += fav;
    family_all_fav_ += fall;
  }
  for (std::size_t k = 0; k < claims_.size(); ++k) claims_[k] += r.claims[k];
  for (std::size_t c = 0; c < comparisons_; ++c) comp_[c].sae_difference_exceeds += r.sae_difference_exceeds[c];
  any_reject_ += any;
  all_reject_ += all;
  std::int64_t analysed = 0;
  for (std::size_t k = 0; k < arms_; ++k) {
    analysed += r.analysed[k];
    moments(arm_[k].randomised, static_cast<double>(r.randomised[k]));
    moments(arm_[k].analysed, static_cast<double>(r.analysed[k]));
    if (r.analysed[k] > 0) moments(arm_[k].mean_change, r.mean_change[k]);
    moments(arm_[k].sae, static_cast<double>(r.sae[k]));
    moments(arm_[k].infusion, static_cast<double>(r.infusion[k]));
    if (std::isfinite(r.mean_dose[k])) moments(arm_[k].mean_dose, r.mean_dose[k]);
  }
  moments(screened_, static_cast<double>(r.screened));
  moments(analysed_total_, static_cast<double>(analysed));
  if (std::isfinite(r.mean_age)) {
    moments(age_, r.mean_age);
    moments(under5_, r.share_under_5);
    moments(mild_, r.share_gmfcs_1_3);
  }
  if (std::isfinite(r.accrual_months)) {
    if (!accrual_.add(r.accrual_months)) ++out_of_range_;
    if (!duration_.add(r.duration_months)) ++out_of_range_;
  }
  if (follow_.visits > 0) out_of_range_ += follow_.add(r.follow_up);
  if (r.mmrm.used) {
    ++mmrm_used_[r.mmrm.fitted ? r.mmrm.structure : 5];
    mmrm_fallback_ += r.mmrm.fallback;
  }
  if (interim_.looks > 0) add_interim(r.interim, r.screened);
}

void Accumulator::add_interim(const InterimResult& r, std::uint64_t screened) {
  InterimAccumulator& a = interim_;
  CELLTRIAL_ASSERT(r.used && static_cast<std::size_t>(r.looks) == a.looks);
  if (r.rejected_at >= 0) ++(r.rejected_favourable ? a.efficacy : a.harm)[static_cast<std::size_t>(r.rejected_at)];
  if (r.stop == InterimResult::Stop::futility) ++a.futility[static_cast<std::size_t>(r.stopped_at)];
  const std::size_t reached = r.stopped_at >= 0 ? static_cast<std::size_t>(r.stopped_at) + 1 : a.looks;
  for (std::size_t k = 0; k < reached; ++k) {
    // A calendar look not held has no month (and no information).
    if (std::isnan(r.look_month[k])) continue;
    moments(a.look_month[k], r.look_month[k]);
    if (a.calendar) {
      ++a.held[k];
      moments(a.information[k], r.information[k]);
    }
  }
  // The analyses made: the looks up to the stopping one, else every look and the final analysis.
  const std::size_t analyses = r.stopped_at >= 0 ? reached : a.looks + 1;
  for (std::size_t k = 0; k < analyses; ++k)
    if (!std::isnan(r.z[k]) && !a.z[k].add(r.z[k])) ++out_of_range_;
  if (!a.sample_size.add(static_cast<double>(r.randomised))) ++out_of_range_;
  add_comparison(a.at_stopping, r.at_stopping);
  if (a.adjusted && r.adjusted.estimable) {
    add_comparison(a.at_stopping_adjusted, r.adjusted);
    a.naive_below += r.at_stopping.estimate <= r.at_stopping.truth;
    a.adjusted_below += r.adjusted.estimate <= r.adjusted.truth;
  }
  if (a.reestimation) {
    ++a.zone[static_cast<std::size_t>(r.zone)];
    if (r.reestimated > 0) {
      ++a.decided;
      moments(a.conditional_power, r.conditional_power);
    }
    if (r.increased) {
      ++a.increased;
      moments(a.increased_n, static_cast<double>(r.reestimated));
    }
    a.naive_efficacy += r.naive_rejected_favourable;
    a.max_n = std::max(a.max_n, r.randomised);
    if (std::isfinite(r.duration_months)) a.max_duration = std::max(a.max_duration, r.duration_months);
  }
  if (a.selection_arms > 0) {
    const ArmSelectionResult& x = r.arm_selection;
    ++a.outcome[static_cast<std::size_t>(x.outcome)];
    if (x.outcome == ArmSelectionResult::Outcome::continued) ++a.kept_set[x.kept];
    const bool look = x.outcome == ArmSelectionResult::Outcome::efficacy;
    for (std::size_t c = 0; c < a.selection_arms; ++c) {
      a.arm_kept[c] += x.kept >> c & 1u;
      a.arm_claim[c] += x.claims >> c & 1u;
      a.arm_claim_look[c] += look && (x.claims >> c & 1u);
      a.arm_naive[c] += x.naive >> c & 1u;
    }
    a.arm_any_claim += x.claims != 0;
    a.arm_false_claim += (x.claims & x.null_arms) != 0;
    a.arm_naive_any += x.naive != 0;
    a.arm_naive_false += (x.naive & x.null_arms) != 0;
  }
  if (a.enrichment) {
    const EnrichmentResult& e = r.enrichment;
    const auto k = static_cast<std::size_t>(e.selection);
    ++a.selection[k];
    a.claim_full[k] += e.claim_full;
    a.claim_subgroup[k] += e.claim_subgroup;
    a.claim_both[k] += e.claim_full && e.claim_subgroup;
    a.naive_full[k] += e.naive_full;
    a.naive_subgroup[k] += e.naive_subgroup;
    a.naive_any[k] += e.naive_full || e.naive_subgroup;
    moments(a.screened[k], static_cast<double>(screened));
    if (std::isfinite(r.duration_months)) moments(a.duration[k], r.duration_months);
  }
}

InterimAccumulator::InterimAccumulator(std::size_t k, bool r, bool e, bool adj, std::size_t arms, bool cal)
    : looks(k), efficacy(k + 1, 0), harm(k + 1, 0), futility(k, 0), look_month(k), calendar(cal),
      held(cal ? k : 0, 0), information(cal ? k : 0), adjusted(adj), z(k + 1), reestimation(r), enrichment(e),
      selection_arms(arms) {
  CELLTRIAL_ASSERT(k > 0 && k <= kMaxInterims && arms <= kMaxSelectionArms);
}

FollowUpAccumulator::FollowUpAccumulator(std::size_t v, std::size_t a, bool d) : visits(v), arms(a), delayed(d) {
  CELLTRIAL_ASSERT(v > 0 && v <= kMaxVisits && a <= kMaxArms);
  observed_share.resize(v * a);
  mean_observed.resize(v * a);
  mean_all.resize(v * a);
  dropped_share.resize(a);
  event_share.resize(a);
}

std::uint64_t FollowUpAccumulator::add(const FollowUpResult& r) {
  CELLTRIAL_ASSERT(r.visits == visits);
  std::uint64_t lost = 0;
  // NaN (no child to average) is left out; a value too large to hold exactly is counted.
  auto put = [&](ExactMoments& m, double x) {
    if (!std::isnan(x) && !m.add(x)) ++lost;
  };
  for (std::size_t k = 0; k < visits * arms; ++k) {
    put(observed_share[k], r.observed_share[k]);
    put(mean_observed[k], r.mean_observed[k]);
    put(mean_all[k], r.mean_all[k]);
  }
  for (std::size_t a = 0; a < arms; ++a) {
    put(dropped_share[a], r.dropped_share[a]);
    put(event_share[a], r.event_share[a]);
  }
  if (delayed) {
    const DelayedResult& x = r.delayed;
    put(delayed_gain, x.delayed_gain);
    put(early_gain, x.early_gain);
    if (x.estimable) {
      ++delayed_estimable;
      delayed_rejections += x.reject;
      put(delayed_estimate, x.estimate);
      put(delayed_se, x.se);
    }
  }
  return lost;
}

void FollowUpAccumulator::merge(const FollowUpAccumulator& o) {
  CELLTRIAL_ASSERT(o.visits == visits && o.arms == arms && o.delayed == delayed);
  auto all = [](std::vector<ExactMoments>& a, const std::vector<ExactMoments>& b) {
    for (std::size_t k = 0; k < a.size(); ++k) a[k].merge(b[k]);
  };
  all(observed_share, o.observed_share);
  all(mean_observed, o.mean_observed);
  all(mean_all, o.mean_all);
  all(dropped_share, o.dropped_share);
  all(event_share, o.event_share);
  delayed_estimable += o.delayed_estimable;
  delayed_rejections += o.delayed_rejections;
  delayed_estimate.merge(o.delayed_estimate);
  delayed_se.merge(o.delayed_se);
  delayed_gain.merge(o.delayed_gain);
  early_gain.merge(o.early_gain);
}

namespace {
void merge_comparison(ComparisonAccumulator& a, const ComparisonAccumulator& b) {
  a.estimable += b.estimable;
  a.rejections += b.rejections;
  a.rejections_favourable += b.rejections_favourable;
  a.rejections_unadjusted_favourable += b.rejections_unadjusted_favourable;
  a.covered += b.covered;
  a.estimate.merge(b.estimate);
  a.se.merge(b.se);
  a.error.merge(b.error);
  a.truth.merge(b.truth);
  a.squared_error.merge(b.squared_error);
  a.sae_difference_exceeds += b.sae_difference_exceeds;
}
}  // namespace

void InterimAccumulator::merge(const InterimAccumulator& o) {
  CELLTRIAL_ASSERT(o.looks == looks);
  for (std::size_t k = 0; k <= looks; ++k) {
    efficacy[k] += o.efficacy[k];
    harm[k] += o.harm[k];
    z[k].merge(o.z[k]);
  }
  for (std::size_t k = 0; k < looks; ++k) {
    futility[k] += o.futility[k];
    look_month[k].merge(o.look_month[k]);
  }
  CELLTRIAL_ASSERT(o.calendar == calendar);
  for (std::size_t k = 0; k < held.size(); ++k) {
    held[k] += o.held[k];
    information[k].merge(o.information[k]);
  }
  sample_size.merge(o.sample_size);
  merge_comparison(at_stopping, o.at_stopping);
  CELLTRIAL_ASSERT(o.adjusted == adjusted);
  merge_comparison(at_stopping_adjusted, o.at_stopping_adjusted);
  naive_below += o.naive_below;
  adjusted_below += o.adjusted_below;
  CELLTRIAL_ASSERT(o.reestimation == reestimation);
  for (std::size_t k = 0; k < zone.size(); ++k) zone[k] += o.zone[k];
  decided += o.decided;
  increased += o.increased;
  naive_efficacy += o.naive_efficacy;
  increased_n.merge(o.increased_n);
  conditional_power.merge(o.conditional_power);
  max_n = std::max(max_n, o.max_n);
  max_duration = std::max(max_duration, o.max_duration);
  CELLTRIAL_ASSERT(o.enrichment == enrichment && o.selection_arms == selection_arms);
  for (std::size_t k = 0; k < outcome.size(); ++k) outcome[k] += o.outcome[k];
  for (std::size_t k = 0; k < kept_set.size(); ++k) kept_set[k] += o.kept_set[k];
  for (std::size_t c = 0; c < kMaxSelectionArms; ++c) {
    arm_kept[c] += o.arm_kept[c];
    arm_claim[c] += o.arm_claim[c];
    arm_claim_look[c] += o.arm_claim_look[c];
    arm_naive[c] += o.arm_naive[c];
  }
  arm_any_claim += o.arm_any_claim;
  arm_false_claim += o.arm_false_claim;
  arm_naive_any += o.arm_naive_any;
  arm_naive_false += o.arm_naive_false;
  for (std::size_t k = 0; k < selection.size(); ++k) {
    selection[k] += o.selection[k];
    claim_full[k] += o.claim_full[k];
    claim_subgroup[k] += o.claim_subgroup[k];
    claim_both[k] += o.claim_both[k];
    naive_full[k] += o.naive_full[k];
    naive_subgroup[k] += o.naive_subgroup[k];
    naive_any[k] += o.naive_any[k];
    screened[k].merge(o.screened[k]);
    duration[k].merge(o.duration[k]);
  }
}

void Accumulator::merge(const Accumulator& o) {
  CELLTRIAL_ASSERT(o.arms_ == arms_ && o.comparisons_ == comparisons_ && o.sub_.size() == sub_.size() &&
                   o.family_ == family_ && o.claims_.size() == claims_.size());
  trials_ += o.trials_;
  family_any_ += o.family_any_;
  family_any_fav_ += o.family_any_fav_;
  family_all_fav_ += o.family_all_fav_;
  for (std::size_t k = 0; k < claims_.size(); ++k) claims_[k] += o.claims_[k];
  for (std::size_t k = 0; k < sub_.size(); ++k) {
    SubgroupAccumulator& a = sub_[k];
    const SubgroupAccumulator& b = o.sub_[k];
    merge_comparison(a.inside, b.inside);
    merge_comparison(a.outside, b.outside);
    a.interaction_estimable += b.interaction_estimable;
    a.interaction_rejections += b.interaction_rejections;
    a.interaction.merge(b.interaction);
    a.interaction_se.merge(b.interaction_se);
    a.analysed.merge(b.analysed);
    a.empty += b.empty;
  }
  any_reject_ += o.any_reject_;
  all_reject_ += o.all_reject_;
  out_of_range_ += o.out_of_range_;
  for (std::size_t c = 0; c < comparisons_; ++c) merge_comparison(comp_[c], o.comp_[c]);
  for (std::size_t k = 0; k < arms_; ++k) {
    arm_[k].randomised.merge(o.arm_[k].randomised);
    arm_[k].analysed.merge(o.arm_[k].analysed);
    arm_[k].mean_change.merge(o.arm_[k].mean_change);
    arm_[k].sae.merge(o.arm_[k].sae);
    arm_[k].infusion.merge(o.arm_[k].infusion);
    arm_[k].mean_dose.merge(o.arm_[k].mean_dose);
  }
  screened_.merge(o.screened_);
  analysed_total_.merge(o.analysed_total_);
  age_.merge(o.age_);
  under5_.merge(o.under5_);
  mild_.merge(o.mild_);
  accrual_.merge(o.accrual_);
  duration_.merge(o.duration_);
  follow_.merge(o.follow_);
  for (std::size_t k = 0; k < mmrm_used_.size(); ++k) mmrm_used_[k] += o.mmrm_used_[k];
  mmrm_fallback_ += o.mmrm_fallback_;
  if (interim_.looks > 0 || o.interim_.looks > 0) interim_.merge(o.interim_);
}

std::uint64_t count_from_json(const nlohmann::json& j, const char* what) {
  if (!j.is_number_unsigned()) throw std::runtime_error(std::string(what) + " is not a whole number >= 0");
  return j.get<std::uint64_t>();
}

namespace {
nlohmann::json moments_state(const ExactMoments& m) {
  return nlohmann::json::array({m.count(), m.sum().to_string(), m.sum_squares().to_string()});
}
ExactMoments moments_from(const nlohmann::json& j) {
  if (!j.is_array() || j.size() != 3) throw std::runtime_error("malformed moments");
  ExactSum s1, s2;
  if (!ExactSum::from_string(j.at(1).get<std::string>(), s1) || !ExactSum::from_string(j.at(2).get<std::string>(), s2))
    throw std::runtime_error("malformed exact sum");
  ExactMoments m;
  m.set(count_from_json(j.at(0), "a moment count"), s1, s2);
  return m;
}

// A distribution as its moments and its histogram's bins, [[key, count], ...] in key order.
nlohmann::json distribution_state(const DistributionAccumulator& d) {
  nlohmann::json bins = nlohmann::json::array();
  for (const auto& [k, c] : d.histogram.bins()) bins.push_back({k, c});
  return {{"moments", moments_state(d.moments)}, {"bins", bins}};
}

DistributionAccumulator distribution_from(const nlohmann::json& j, const char* what) {
  DistributionAccumulator d;
  d.moments = moments_from(j.at("moments"));
  std::map<std::uint32_t, std::uint64_t> bins;
  for (const auto& b : j.at("bins")) {
    if (!b.is_array() || b.size() != 2) throw std::runtime_error(std::string(what) + ": a bin is not [key, count]");
    const std::uint64_t key = count_from_json(b.at(0), what);
    if (key > 0xFFFFFFFFu || !bins.emplace(static_cast<std::uint32_t>(key), count_from_json(b.at(1), what)).second)
      throw std::runtime_error(std::string(what) + ": a bin key is out of range or repeated");
  }
  if (!d.histogram.set(bins) || d.histogram.count() != d.moments.count())
    throw std::runtime_error(std::string(what) + ": the bins do not match the trial count");
  return d;
}
}  // namespace

namespace {
// NaN (an empty subgroup's true effect) is kept as null in the state.
nlohmann::json doubles_state(const std::vector<double>& v) {
  nlohmann::json j = nlohmann::json::array();
  for (double x : v) j.push_back(std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(nullptr));
  return j;
}
std::vector<double> doubles_from(const nlohmann::json& j) {
  std::vector<double> v;
  for (const auto& x : j) v.push_back(x.is_null() ? std::numeric_limits<double>::quiet_NaN() : x.get<double>());
  return v;
}
nlohmann::json comparison_state(const ComparisonAccumulator& a) {
  return {{"estimable", a.estimable},
          {"rejections", a.rejections},
          {"rejections_favourable", a.rejections_favourable},
          {"rejections_unadjusted_favourable", a.rejections_unadjusted_favourable},
          {"covered", a.covered},
          {"estimate", moments_state(a.estimate)},
          {"se", moments_state(a.se)},
          {"error", moments_state(a.error)},
          {"truth", moments_state(a.truth)},
          {"squared_error", moments_state(a.squared_error)},
          {"sae_difference_exceeds", a.sae_difference_exceeds}};
}
ComparisonAccumulator comparison_from(const nlohmann::json& e) {
  ComparisonAccumulator x;
  x.estimable = count_from_json(e.at("estimable"), "estimable");
  x.rejections = count_from_json(e.at("rejections"), "rejections");
  x.rejections_favourable = count_from_json(e.at("rejections_favourable"), "rejections_favourable");
  x.rejections_unadjusted_favourable = count_from_json(e.at("rejections_unadjusted_favourable"), "rejections_unadjusted_favourable");
  x.covered = count_from_json(e.at("covered"), "covered");
  x.estimate = moments_from(e.at("estimate"));
  x.se = moments_from(e.at("se"));
  x.error = moments_from(e.at("error"));
  x.truth = moments_from(e.at("truth"));
  x.squared_error = moments_from(e.at("squared_error"));
  x.sae_difference_exceeds = count_from_json(e.at("sae_difference_exceeds"), "sae_difference_exceeds");
  return x;
}
}  // namespace

nlohmann::json InterimAccumulator::state() const {
  nlohmann::json months = nlohmann::json::array();
  for (const auto& m : look_month) months.push_back(moments_state(m));
  nlohmann::json j = {{"looks", looks},
                      {"efficacy", efficacy},
                      {"harm", harm},
                      {"futility", futility},
                      {"look_month", months},
                      {"sample_size", distribution_state(sample_size)},
                      {"at_stopping", comparison_state(at_stopping)}};
  if (calendar) {
    nlohmann::json info = nlohmann::json::array();
    for (const auto& m : information) info.push_back(moments_state(m));
    j["calendar"] = {{"held", held}, {"information", info}};
  }
  if (adjusted) {
    j["at_stopping_adjusted"] = comparison_state(at_stopping_adjusted);
    j["below_true"] = {naive_below, adjusted_below};
  }
  nlohmann::json zs = nlohmann::json::array();
  for (const auto& h : z) {
    nlohmann::json bins = nlohmann::json::array();
    for (const auto& [key, c] : h.bins()) bins.push_back({key, c});
    zs.push_back(bins);
  }
  j["z"] = zs;
  if (reestimation)
    j["reestimation"] = {{"zone", zone},
                         {"decided", decided},
                         {"increased", increased},
                         {"naive_efficacy", naive_efficacy},
                         {"increased_n", moments_state(increased_n)},
                         {"conditional_power", moments_state(conditional_power)},
                         {"max_n", max_n},
                         {"max_duration", max_duration}};
  if (selection_arms > 0)
    j["arm_selection"] = {{"arms", selection_arms}, {"outcome", outcome},     {"kept_set", kept_set},
                          {"arm_kept", arm_kept},   {"arm_claim", arm_claim}, {"arm_claim_look", arm_claim_look},
                          {"arm_naive", arm_naive}, {"any_claim", arm_any_claim}, {"false_claim", arm_false_claim},
                          {"naive_any", arm_naive_any}, {"naive_false", arm_naive_false}};
  if (enrichment) {
    nlohmann::json sc = nlohmann::json::array(), du = nlohmann::json::array();
    for (std::size_t k = 0; k < selection.size(); ++k) {
      sc.push_back(moments_state(screened[k]));
      du.push_back(moments_state(duration[k]));
    }
    j["enrichment"] = {{"selection", selection},           {"claim_full", claim_full}, {"claim_subgroup", claim_subgroup},
                       {"claim_both", claim_both},         {"naive_full", naive_full}, {"naive_subgroup", naive_subgroup},
                       {"naive_any", naive_any},           {"screened", sc},           {"duration", du}};
  }
  return j;
}

InterimAccumulator InterimAccumulator::from_state(const nlohmann::json& j) {
  const auto k = count_from_json(j.at("looks"), "interims.looks");
  if (k < 1 || k > kMaxInterims) throw std::runtime_error("bad interim look count");
  InterimAccumulator a(k);
  auto counts = [&](const char* key, std::vector<std::uint64_t>& v) {
    const auto& x = j.at(key);
    if (!x.is_array() || x.size() != v.size()) throw std::runtime_error(std::string("bad interims ") + key + " size");
    for (std::size_t i = 0; i < v.size(); ++i) v[i] = count_from_json(x.at(i), key);
  };
  counts("efficacy", a.efficacy);
  counts("harm", a.harm);
  counts("futility", a.futility);
  const auto& m = j.at("look_month");
  if (!m.is_array() || m.size() != k) throw std::runtime_error("bad interims look_month size");
  for (std::size_t i = 0; i < k; ++i) a.look_month[i] = moments_from(m.at(i));
  a.sample_size = distribution_from(j.at("sample_size"), "interims.sample_size");
  a.at_stopping = comparison_from(j.at("at_stopping"));
  if (j.contains("calendar")) {
    const auto& c = j.at("calendar");
    a.calendar = true;
    a.held.assign(k, 0);
    a.information.assign(k, ExactMoments{});
    const auto& h = c.at("held");
    const auto& info = c.at("information");
    if (!h.is_array() || h.size() != k || !info.is_array() || info.size() != k)
      throw std::runtime_error("bad interims calendar size");
    for (std::size_t i = 0; i < k; ++i) {
      a.held[i] = count_from_json(h.at(i), "interims.calendar.held");
      a.information[i] = moments_from(info.at(i));
    }
  }
  if (j.contains("at_stopping_adjusted")) {
    a.adjusted = true;
    a.at_stopping_adjusted = comparison_from(j.at("at_stopping_adjusted"));
    const auto& b = j.at("below_true");
    if (!b.is_array() || b.size() != 2) throw std::runtime_error("bad interims below_true size");
    a.naive_below = count_from_json(b.at(0), "below_true");
    a.adjusted_below = count_from_json(b.at(1), "below_true");
  }
  // Z histograms per analysis: [[key, count], ...] each (states written before they were kept have
  // none, and give no Z distribution).
  if (j.contains("z")) {
    const auto& zs = j.at("z");
    if (!zs.is_array() || zs.size() != k + 1) throw std::runtime_error("bad interims z size");
    for (std::size_t i = 0; i <= k; ++i) {
      std::map<std::int64_t, std::uint64_t> bins;
      for (const auto& b : zs.at(i)) {
        if (!b.is_array() || b.size() != 2 || !b.at(0).is_number_integer())
          throw std::runtime_error("interims.z: a bin is not [key, count]");
        if (!bins.emplace(b.at(0).get<std::int64_t>(), count_from_json(b.at(1), "interims.z")).second)
          throw std::runtime_error("interims.z: a bin key is repeated");
      }
      if (!a.z[i].set(bins)) throw std::runtime_error("interims.z: a bin key is out of range or a count is 0");
    }
  }
  if (j.contains("reestimation")) {
    const auto& r = j.at("reestimation");
    a.reestimation = true;
    const auto& z = r.at("zone");
    if (!z.is_array() || z.size() != a.zone.size()) throw std::runtime_error("bad interims reestimation zone size");
    for (std::size_t i = 0; i < a.zone.size(); ++i) a.zone[i] = count_from_json(z.at(i), "reestimation.zone");
    a.decided = count_from_json(r.at("decided"), "reestimation.decided");
    a.increased = count_from_json(r.at("increased"), "reestimation.increased");
    a.naive_efficacy = count_from_json(r.at("naive_efficacy"), "reestimation.naive_efficacy");
    a.increased_n = moments_from(r.at("increased_n"));
    a.conditional_power = moments_from(r.at("conditional_power"));
    const auto& mn = r.at("max_n");
    const auto& md = r.at("max_duration");
    if (!mn.is_number_integer() || mn.get<std::int64_t>() < 0 || !md.is_number() || !(md.get<double>() >= 0))
      throw std::runtime_error("bad interims reestimation maximum");
    a.max_n = mn.get<std::int64_t>();
    a.max_duration = md.get<double>();
  }
  if (j.contains("arm_selection")) {
    const auto& e = j.at("arm_selection");
    a.selection_arms = static_cast<std::size_t>(count_from_json(e.at("arms"), "arms"));
    if (a.selection_arms < 2 || a.selection_arms > kMaxSelectionArms)
      throw std::runtime_error("bad interims arm_selection arms");
    auto arm_counts = [&](const char* key, auto& v) {
      const auto& x = e.at(key);
      if (!x.is_array() || x.size() != v.size())
        throw std::runtime_error(std::string("bad interims arm_selection ") + key + " size");
      for (std::size_t i = 0; i < v.size(); ++i) v[i] = count_from_json(x.at(i), key);
    };
    arm_counts("outcome", a.outcome);
    arm_counts("kept_set", a.kept_set);
    arm_counts("arm_kept", a.arm_kept);
    arm_counts("arm_claim", a.arm_claim);
    arm_counts("arm_claim_look", a.arm_claim_look);
    arm_counts("arm_naive", a.arm_naive);
    a.arm_any_claim = count_from_json(e.at("any_claim"), "any_claim");
    a.arm_false_claim = count_from_json(e.at("false_claim"), "false_claim");
    a.arm_naive_any = count_from_json(e.at("naive_any"), "naive_any");
    a.arm_naive_false = count_from_json(e.at("naive_false"), "naive_false");
  }
  if (j.contains("enrichment")) {
    const auto& e = j.at("enrichment");
    a.enrichment = true;
    auto counts5 = [&](const char* key, std::array<std::uint64_t, 5>& v) {
      const auto& x = e.at(key);
      if (!x.is_array() || x.size() != v.size()) throw std::runtime_error(std::string("bad interims enrichment ") + key + " size");
      for (std::size_t i = 0; i < v.size(); ++i) v[i] = count_from_json(x.at(i), key);
    };
    counts5("selection", a.selection);
    counts5("claim_full", a.claim_full);
    counts5("claim_subgroup", a.claim_subgroup);
    counts5("claim_both", a.claim_both);
    counts5("naive_full", a.naive_full);
    counts5("naive_subgroup", a.naive_subgroup);
    counts5("naive_any", a.naive_any);
    auto moments_list = [&](const char* key, std::array<ExactMoments, 5>& v) {
      const auto& x = e.at(key);
      if (!x.is_array() || x.size() != v.size()) throw std::runtime_error(std::string("bad interims enrichment ") + key + " size");
      for (std::size_t i = 0; i < v.size(); ++i) v[i] = moments_from(x.at(i));
    };
    moments_list("screened", a.screened);
    moments_list("duration", a.duration);
  }
  return a;
}

nlohmann::json Accumulator::state() const {
  nlohmann::json j;
  j["arms"] = arms_;
  j["comparisons"] = comparisons_;
  j["truth"] = truth_;
  j["trials"] = trials_;
  j["any_reject"] = any_reject_;
  j["all_reject"] = all_reject_;
  j["out_of_range"] = out_of_range_;
  j["screened"] = moments_state(screened_);
  j["analysed_total"] = moments_state(analysed_total_);
  j["age"] = moments_state(age_);
  j["under5"] = moments_state(under5_);
  j["gmfcs_1_3"] = moments_state(mild_);
  if (accrual_.moments.count() > 0) {
    j["accrual_months"] = distribution_state(accrual_);
    j["duration_months"] = distribution_state(duration_);
  }
  for (std::size_t c = 0; c < comparisons_; ++c) j["comparison"].push_back(comparison_state(comp_[c]));
  if (follow_.visits > 0) j["follow_up"] = follow_.state();
  if (std::any_of(mmrm_used_.begin(), mmrm_used_.end(), [](std::uint64_t x) { return x > 0; }))
    j["mmrm"] = {{"structures", mmrm_used_}, {"fallback", mmrm_fallback_}};
  if (interim_.looks > 0) j["interims"] = interim_.state();
  if (!sub_.empty() || family_ > 0) {
    j["family"] = family_;
    j["family_any"] = family_any_;
    j["family_any_favourable"] = family_any_fav_;
    j["family_all_favourable"] = family_all_fav_;
    j["claims"] = claims_;
    const SubgroupTruth& t = sub_truth_;
    j["subgroup_truth"] = {{"inside", doubles_state(t.inside)},         {"inside_mc_se", doubles_state(t.inside_mc_se)},
                           {"outside", doubles_state(t.outside)},       {"outside_mc_se", doubles_state(t.outside_mc_se)},
                           {"prevalence", doubles_state(t.prevalence)}, {"prevalence_mc_se", doubles_state(t.prevalence_mc_se)}};
    j["subgroups"] = nlohmann::json::array();
    for (const auto& a : sub_)
      j["subgroups"].push_back({{"inside", comparison_state(a.inside)},
                                {"outside", comparison_state(a.outside)},
                                {"interaction_estimable", a.interaction_estimable},
                                {"interaction_rejections", a.interaction_rejections},
                                {"interaction", moments_state(a.interaction)},
                                {"interaction_se", moments_state(a.interaction_se)},
                                {"analysed", moments_state(a.analysed)},
                                {"empty", a.empty}});
  }
  for (std::size_t k = 0; k < arms_; ++k)
    j["arm"].push_back({{"randomised", moments_state(arm_[k].randomised)},
                        {"analysed", moments_state(arm_[k].analysed)},
                        {"mean_change", moments_state(arm_[k].mean_change)},
                        {"sae", moments_state(arm_[k].sae)},
                        {"infusion", moments_state(arm_[k].infusion)},
                        {"mean_dose", moments_state(arm_[k].mean_dose)}});
  return j;
}

nlohmann::json FollowUpAccumulator::state() const {
  auto list = [](const std::vector<ExactMoments>& m) {
    nlohmann::json a = nlohmann::json::array();
    for (const auto& x : m) a.push_back(moments_state(x));
    return a;
  };
  nlohmann::json j = {{"visits", visits},
                      {"arms", arms},
                      {"observed_share", list(observed_share)},
                      {"mean_observed", list(mean_observed)},
                      {"mean_all", list(mean_all)},
                      {"dropped_share", list(dropped_share)},
                      {"event_share", list(event_share)}};
  if (delayed)
    j["delayed"] = {{"estimable", delayed_estimable},         {"rejections", delayed_rejections},
                    {"estimate", moments_state(delayed_estimate)}, {"se", moments_state(delayed_se)},
                    {"delayed_gain", moments_state(delayed_gain)}, {"early_gain", moments_state(early_gain)}};
  return j;
}

FollowUpAccumulator FollowUpAccumulator::from_state(const nlohmann::json& j) {
  const auto v = count_from_json(j.at("visits"), "visits"), a = count_from_json(j.at("arms"), "arms");
  if (v < 1 || v > kMaxVisits || a < 2 || a > kMaxArms) throw std::runtime_error("bad follow-up sizes");
  FollowUpAccumulator f(v, a, j.contains("delayed"));
  auto list = [&](const char* key, std::vector<ExactMoments>& m) {
    const auto& x = j.at(key);
    if (!x.is_array() || x.size() != m.size()) throw std::runtime_error(std::string("bad follow-up ") + key + " size");
    for (std::size_t k = 0; k < m.size(); ++k) m[k] = moments_from(x.at(k));
  };
  list("observed_share", f.observed_share);
  list("mean_observed", f.mean_observed);
  list("mean_all", f.mean_all);
  list("dropped_share", f.dropped_share);
  list("event_share", f.event_share);
  if (f.delayed) {
    const auto& d = j.at("delayed");
    f.delayed_estimable = count_from_json(d.at("estimable"), "estimable");
    f.delayed_rejections = count_from_json(d.at("rejections"), "rejections");
    f.delayed_estimate = moments_from(d.at("estimate"));
    f.delayed_se = moments_from(d.at("se"));
    f.delayed_gain = moments_from(d.at("delayed_gain"));
    f.early_gain = moments_from(d.at("early_gain"));
  }
  return f;
}

Accumulator Accumulator::from_state(const nlohmann::json& j) {
  try {
    const auto arms = count_from_json(j.at("arms"), "arms");
    const auto comps = count_from_json(j.at("comparisons"), "comparisons");
    if (arms < 2 || arms > kMaxArms || comps < 1 || comps >= arms) throw std::runtime_error("bad arm counts");
    const auto truth = j.at("truth").get<std::vector<double>>();
    if (truth.size() != comps) throw std::runtime_error("bad truth size");
    Accumulator a(arms, comps, truth);
    if (j.contains("family")) {
      const auto& t = j.at("subgroup_truth");
      SubgroupTruth st{doubles_from(t.at("inside")),     doubles_from(t.at("inside_mc_se")),
                       doubles_from(t.at("outside")),    doubles_from(t.at("outside_mc_se")),
                       doubles_from(t.at("prevalence")), doubles_from(t.at("prevalence_mc_se"))};
      if (st.inside.size() != st.prevalence.size() * comps || j.at("subgroups").size() != st.inside.size() ||
          st.outside.size() != st.inside.size() || st.inside_mc_se.size() != st.inside.size() ||
          st.outside_mc_se.size() != st.inside.size() || st.prevalence_mc_se.size() != st.prevalence.size())
        throw std::runtime_error("bad subgroup sizes");
      a = Accumulator(arms, comps, truth, count_from_json(j.at("family"), "family"), j.at("claims").size(), std::move(st));
      a.family_any_ = count_from_json(j.at("family_any"), "family_any");
      a.family_any_fav_ = count_from_json(j.at("family_any_favourable"), "family_any_favourable");
      a.family_all_fav_ = count_from_json(j.at("family_all_favourable"), "family_all_favourable");
      for (std::size_t k = 0; k < a.claims_.size(); ++k) a.claims_[k] = count_from_json(j.at("claims").at(k), "claims");
      for (std::size_t k = 0; k < a.sub_.size(); ++k) {
        const auto& e = j.at("subgroups").at(k);
        auto& x = a.sub_[k];
        x.inside = comparison_from(e.at("inside"));
        x.outside = comparison_from(e.at("outside"));
        x.interaction_estimable = count_from_json(e.at("interaction_estimable"), "interaction_estimable");
        x.interaction_rejections = count_from_json(e.at("interaction_rejections"), "interaction_rejections");
        x.interaction = moments_from(e.at("interaction"));
        x.interaction_se = moments_from(e.at("interaction_se"));
        x.analysed = moments_from(e.at("analysed"));
        x.empty = count_from_json(e.at("empty"), "empty");
      }
    }
    a.trials_ = count_from_json(j.at("trials"), "trials");
    a.any_reject_ = count_from_json(j.at("any_reject"), "any_reject");
    a.all_reject_ = count_from_json(j.at("all_reject"), "all_reject");
    a.out_of_range_ = count_from_json(j.at("out_of_range"), "out_of_range");
    a.screened_ = moments_from(j.at("screened"));
    a.analysed_total_ = moments_from(j.at("analysed_total"));
    a.age_ = moments_from(j.at("age"));
    a.under5_ = moments_from(j.at("under5"));
    a.mild_ = moments_from(j.at("gmfcs_1_3"));
    if (j.contains("accrual_months")) {
      a.accrual_ = distribution_from(j.at("accrual_months"), "accrual_months");
      a.duration_ = distribution_from(j.at("duration_months"), "duration_months");
    }
    if (j.contains("mmrm")) {
      const auto& m = j.at("mmrm");
      const auto& used = m.at("structures");
      if (!used.is_array() || used.size() != a.mmrm_used_.size()) throw std::runtime_error("bad mmrm structure counts");
      for (std::size_t k = 0; k < a.mmrm_used_.size(); ++k) a.mmrm_used_[k] = count_from_json(used.at(k), "mmrm.structures");
      a.mmrm_fallback_ = count_from_json(m.at("fallback"), "mmrm.fallback");
    }
    if (j.contains("interims")) a.interim_ = InterimAccumulator::from_state(j.at("interims"));
    if (j.contains("follow_up")) {
      a.follow_ = FollowUpAccumulator::from_state(j.at("follow_up"));
      if (a.follow_.arms != arms) throw std::runtime_error("bad follow-up arm count");
    }
    const auto& cj = j.at("comparison");
    const auto& aj = j.at("arm");
    if (cj.size() != comps || aj.size() != arms) throw std::runtime_error("bad array sizes");
    for (std::size_t c = 0; c < comps; ++c) a.comp_[c] = comparison_from(cj.at(c));
    for (std::size_t k = 0; k < arms; ++k) {
      a.arm_[k].randomised = moments_from(aj.at(k).at("randomised"));
      a.arm_[k].analysed = moments_from(aj.at(k).at("analysed"));
      a.arm_[k].mean_change = moments_from(aj.at(k).at("mean_change"));
      a.arm_[k].sae = moments_from(aj.at(k).at("sae"));
      a.arm_[k].infusion = moments_from(aj.at(k).at("infusion"));
      a.arm_[k].mean_dose = moments_from(aj.at(k).at("mean_dose"));
    }
    return a;
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(std::string("malformed accumulator state: ") + e.what());
  }
}

}  // namespace celltrial
