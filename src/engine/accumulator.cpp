#include "celltrial/engine/accumulator.hpp"

#include <cmath>
#include <stdexcept>

#include "celltrial/core/error.hpp"

namespace celltrial {

Accumulator::Accumulator(std::size_t arms, std::size_t comparisons, std::vector<double> truth)
    : arms_(arms), comparisons_(comparisons), truth_(std::move(truth)) {
  CELLTRIAL_ASSERT(arms_ <= kMaxArms && comparisons_ < kMaxArms && truth_.size() == comparisons_);
}

void Accumulator::add(const TrialResult& r) {
  ++trials_;
  bool any = false, all = true;
  for (std::size_t c = 0; c < comparisons_; ++c) {
    const ComparisonResult& x = r.comparisons[c];
    ComparisonAccumulator& a = comp_[c];
    any = any || x.reject;
    all = all && x.reject;
    if (!x.estimable) continue;
    ++a.estimable;
    a.rejections += x.reject;
    a.rejections_favourable += x.reject_favourable;
    a.covered += x.covered;
    moments(a.estimate, x.estimate);
    moments(a.se, x.se);
    const double d = x.estimate - x.truth;
    moments(a.error, d);
    moments(a.truth, x.truth);
    moments(a.squared_error, d * d);
  }
  for (std::size_t c = 0; c < comparisons_; ++c) comp_[c].sae_difference_exceeds += r.sae_difference_exceeds[c];
  any_reject_ += any;
  all_reject_ += all;
  for (std::size_t k = 0; k < arms_; ++k) {
    moments(arm_[k].randomised, static_cast<double>(r.randomised[k]));
    moments(arm_[k].analysed, static_cast<double>(r.analysed[k]));
    if (r.analysed[k] > 0) moments(arm_[k].mean_change, r.mean_change[k]);
    moments(arm_[k].sae, static_cast<double>(r.sae[k]));
    moments(arm_[k].infusion, static_cast<double>(r.infusion[k]));
    if (std::isfinite(r.mean_dose[k])) moments(arm_[k].mean_dose, r.mean_dose[k]);
  }
  moments(screened_, static_cast<double>(r.screened));
  if (std::isfinite(r.mean_age)) {
    moments(age_, r.mean_age);
    moments(under5_, r.share_under_5);
    moments(mild_, r.share_gmfcs_1_3);
  }
}

void Accumulator::merge(const Accumulator& o) {
  CELLTRIAL_ASSERT(o.arms_ == arms_ && o.comparisons_ == comparisons_);
  trials_ += o.trials_;
  any_reject_ += o.any_reject_;
  all_reject_ += o.all_reject_;
  out_of_range_ += o.out_of_range_;
  for (std::size_t c = 0; c < comparisons_; ++c) {
    ComparisonAccumulator& a = comp_[c];
    const ComparisonAccumulator& b = o.comp_[c];
    a.estimable += b.estimable;
    a.rejections += b.rejections;
    a.rejections_favourable += b.rejections_favourable;
    a.covered += b.covered;
    a.estimate.merge(b.estimate);
    a.se.merge(b.se);
    a.error.merge(b.error);
    a.truth.merge(b.truth);
    a.squared_error.merge(b.squared_error);
    a.sae_difference_exceeds += b.sae_difference_exceeds;
  }
  for (std::size_t k = 0; k < arms_; ++k) {
    arm_[k].randomised.merge(o.arm_[k].randomised);
    arm_[k].analysed.merge(o.arm_[k].analysed);
    arm_[k].mean_change.merge(o.arm_[k].mean_change);
    arm_[k].sae.merge(o.arm_[k].sae);
    arm_[k].infusion.merge(o.arm_[k].infusion);
    arm_[k].mean_dose.merge(o.arm_[k].mean_dose);
  }
  screened_.merge(o.screened_);
  age_.merge(o.age_);
  under5_.merge(o.under5_);
  mild_.merge(o.mild_);
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
  m.set(j.at(0).get<std::uint64_t>(), s1, s2);
  return m;
}
}  // namespace

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
  j["age"] = moments_state(age_);
  j["under5"] = moments_state(under5_);
  j["gmfcs_1_3"] = moments_state(mild_);
  for (std::size_t c = 0; c < comparisons_; ++c) {
    const auto& a = comp_[c];
    j["comparison"].push_back({{"estimable", a.estimable},
                               {"rejections", a.rejections},
                               {"rejections_favourable", a.rejections_favourable},
                               {"covered", a.covered},
                               {"estimate", moments_state(a.estimate)},
                               {"se", moments_state(a.se)},
                               {"error", moments_state(a.error)},
                               {"truth", moments_state(a.truth)},
                               {"squared_error", moments_state(a.squared_error)},
                               {"sae_difference_exceeds", a.sae_difference_exceeds}});
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

Accumulator Accumulator::from_state(const nlohmann::json& j) {
  try {
    const auto arms = j.at("arms").get<std::size_t>();
    const auto comps = j.at("comparisons").get<std::size_t>();
    if (arms < 2 || arms > kMaxArms || comps < 1 || comps >= arms) throw std::runtime_error("bad arm counts");
    Accumulator a(arms, comps, j.at("truth").get<std::vector<double>>());
    a.trials_ = j.at("trials").get<std::uint64_t>();
    a.any_reject_ = j.at("any_reject").get<std::uint64_t>();
    a.all_reject_ = j.at("all_reject").get<std::uint64_t>();
    a.out_of_range_ = j.at("out_of_range").get<std::uint64_t>();
    a.screened_ = moments_from(j.at("screened"));
    a.age_ = moments_from(j.at("age"));
    a.under5_ = moments_from(j.at("under5"));
    a.mild_ = moments_from(j.at("gmfcs_1_3"));
    const auto& cj = j.at("comparison");
    const auto& aj = j.at("arm");
    if (cj.size() != comps || aj.size() != arms) throw std::runtime_error("bad array sizes");
    for (std::size_t c = 0; c < comps; ++c) {
      auto& x = a.comp_[c];
      const auto& e = cj.at(c);
      x.estimable = e.at("estimable").get<std::uint64_t>();
      x.rejections = e.at("rejections").get<std::uint64_t>();
      x.rejections_favourable = e.at("rejections_favourable").get<std::uint64_t>();
      x.covered = e.at("covered").get<std::uint64_t>();
      x.estimate = moments_from(e.at("estimate"));
      x.se = moments_from(e.at("se"));
      x.error = moments_from(e.at("error"));
      x.truth = moments_from(e.at("truth"));
      x.squared_error = moments_from(e.at("squared_error"));
      x.sae_difference_exceeds = e.at("sae_difference_exceeds").get<std::uint64_t>();
    }
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
