// The agent's contact form: the caller card arrives from /desk/contact/stream while the page is open.
(() => {
  const slot = document.getElementById("caller-card-slot");
  if (!slot || !window.EventSource) return;
  const form = document.getElementById("contact-form");
  const source = new EventSource(slot.dataset.stream);
  source.addEventListener("card", (e) => {
    const data = JSON.parse(e.data);
    slot.innerHTML = data.html;  // rendered and escaped by the server's template
    if (form && form.elements.live_call) form.elements.live_call.value = data.call_id;
    const survey = document.getElementById("csat-call");
    if (survey && !survey.value) survey.value = data.call_id;
  });
})();
