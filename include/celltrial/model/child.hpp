#pragma once
// One screened child: what the population model draws (age, GMFCS level, sex, weight) and what
// screening finds out (the cord blood unit's dose and HLA mismatches).

namespace celltrial {

struct Child {
  double age = 0;     ///< months
  int level = 0;      ///< GMFCS 0..4
  bool male = true;
  double weight = 0;  ///< kg
  double screening_dose = 0;  ///< TNC/kg of the unit found at screening (UCB floor)
  int hla = 0;
};

}  // namespace celltrial
