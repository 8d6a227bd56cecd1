// Progressive enhancement: "copy" buttons next to code samples. Without JavaScript the buttons stay
// hidden and the text can be selected by hand.
(function () {
  if (!navigator.clipboard) return;
  document.querySelectorAll('button.copy[data-copy]').forEach(function (button) {
    var source = document.getElementById(button.getAttribute('data-copy'));
    if (!source) return;
    button.hidden = false;
    var label = button.textContent;
    button.addEventListener('click', function () {
      navigator.clipboard.writeText(source.textContent).then(function () {
        button.textContent = '✓ ' + label;
        setTimeout(function () { button.textContent = label; }, 1500);
      });
    });
  });
})();
