// The Detectors page: the threshold's value and the meter's "high" mark follow
// the slider while it moves, before the form is saved.
"use strict";
document.querySelectorAll("[data-threshold-for]").forEach((output) => {
  const slider = document.getElementById(output.dataset.thresholdFor);
  const meter = document.getElementById(output.dataset.meter);
  slider.addEventListener("input", () => {
    output.textContent = slider.value;
    meter.high = slider.value;
  });
});
