// System > Date and time: "Get from system" fills in this computer's clock, in UTC.
document.getElementById("from-system").addEventListener("click", () => {
  document.getElementById("date-time").value = new Date().toISOString().replace(/\.\d+Z$/, "Z");
});
