document.getElementById("app").textContent = "kring";
