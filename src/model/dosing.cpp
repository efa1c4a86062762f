#include "celltrial/model/dosing.hpp"

namespace celltrial {

Dosing::Dosing(const Scenario& s) : sc_(s) {
  for (std::size_t a = 0; a < s.arms.size(); ++a) {
    const Arm& arm = s.arms[a];
    if (arm.product != ProductType::none) any_product_ = true;
    if (arm.product == ProductType::ucb && screening_ucb_arm_ < 0) screening_ucb_arm_ = static_cast<int>(a);
    if (arm.role == ArmRole::active && arm.product == ProductType::msc && planned_msc_arm_ < 0)
      planned_msc_arm_ = static_cast<int>(a);
  }
}

}  // namespace celltrial
