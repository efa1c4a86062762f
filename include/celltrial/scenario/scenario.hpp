#pragma once
// The scenario: plain structs with every default filled in. Reading, writing and validation live
// in scenario/io.hpp; nothing here knows about YAML.
#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace celltrial {

inline constexpr int kSchemaVersion = 1;
inline constexpr int kGmfcsLevels = 5;
/// Roman numerals used as keys for GMFCS levels I..V.
inline constexpr std::array<const char*, kGmfcsLevels> kGmfcsNames{"I", "II", "III", "IV", "V"};

enum class OutcomeModel { cp, generic };
enum class AgeDistribution { uniform, normal, lognormal };

struct AgeSpec {
  AgeDistribution distribution = AgeDistribution::uniform;
  double min_months = 12;    ///< uniform: lower end
  double max_months = 72;    ///< uniform: upper end
  double mean_months = 36;   ///< normal and lognormal: mean age (months)
  double sd_months = 15;     ///< normal and lognormal: SD of age (months)
};

struct Eligibility {
  double min_age_months = 0;    ///< children younger than this are screen failures
  double max_age_months = 240;  ///< children older than this are screen failures
};

/// Rosenbaum et al. (2002) stable-limit curve: GMFM66(age) = limit * (1 - exp(-age / rate)),
/// with rate = age90 / ln 10.
struct GmfcsCurve {
  double limit = 0;
  double age90_years = 0;
};

struct CpModel {
  std::array<double, kGmfcsLevels> mix{0.342, 0.256, 0.115, 0.137, 0.156};
  std::array<GmfcsCurve, kGmfcsLevels> curves{
      {{87.7, 4.8}, {68.4, 4.4}, {54.3, 3.7}, {40.4, 3.5}, {22.3, 2.7}}};
  double child_limit_sd = 8.0;         ///< SD of the child-specific limit (GMFM-66 points)
  double progress_sd_per_year = 4.2;   ///< SD of the child-specific deviation in progress, points/year
  double measurement_sd = 1.3;         ///< measurement error SD at each assessment
};

struct GenericModel {
  double baseline_mean = 50;
  double baseline_sd = 10;
  double intercept = 5;
  double slope = 0.9;
  double residual_sd = 4;
};

struct Population {
  OutcomeModel outcome_model = OutcomeModel::cp;
  AgeSpec age;
  Eligibility eligibility;
  CpModel cp;
  GenericModel generic;
};

enum class ArmRole { control, active };

struct Arm {
  std::string name;
  ArmRole role = ArmRole::active;
  double allocation = 1;
  /// (month, effect vs control in outcome units), sorted by month; linear between points, 0 at
  /// month 0, constant after the last point.
  std::vector<std::pair<double, double>> effect_by_month;
};

enum class Randomisation { fixed, simple };

struct Design {
  std::int64_t sample_size = 200;
  Randomisation randomisation = Randomisation::fixed;
  std::vector<double> visits_months{6, 12};
  double dropout_by_last_visit = 0;  ///< cumulative probability of loss by the last visit (MCAR)
};

enum class AnalysisMethod { ancova };
enum class Direction { greater, less };
enum class Multiplicity { none, bonferroni, holm };
enum class Covariate { gmfcs };

struct Analysis {
  AnalysisMethod method = AnalysisMethod::ancova;
  double primary_visit_months = 12;
  std::vector<Covariate> adjust_for;
  double alpha = 0.05;
  int sides = 2;
  Direction direction = Direction::greater;  ///< which sign of (active - control) is benefit
  double ci_level = 0.95;
  Multiplicity multiplicity = Multiplicity::none;
};

struct Simulation {
  std::uint64_t trials = 10000;
  std::uint64_t seed = 20250411;
};

struct Scenario {
  int schema_version = kSchemaVersion;
  std::string name = "scenario";
  std::string description;
  Population population;
  std::vector<Arm> arms;
  Design design;
  Analysis analysis;
  Simulation simulation;

  std::size_t control_arm() const;
  std::vector<std::size_t> active_arms() const;
};

/// Probability that a child drawn from the age distribution meets the age eligibility bounds.
double age_eligibility_yield(const Population& p);

/// Effect of an arm at a given month (linear interpolation, 0 at month 0).
double effect_at(const Arm& arm, double month);

const char* to_string(OutcomeModel);
const char* to_string(AgeDistribution);
const char* to_string(ArmRole);
const char* to_string(Randomisation);
const char* to_string(AnalysisMethod);
const char* to_string(Direction);
const char* to_string(Multiplicity);
const char* to_string(Covariate);

}  // namespace celltrial
