// Helpers every page shares: elements built with textContent only (operator and wallet text is never parsed as
// HTML), money in the currency's own format, and card faces.

export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = String(value);
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

const SVG = "http://www.w3.org/2000/svg";
export function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

// An integer of minor units as an exact decimal string: no float ever touches the amount.
export function decimal(amount, minorUnit) {
  const negative = amount < 0;
  let digits = String(Math.abs(amount));
  if (minorUnit === 0) return (negative ? "-" : "") + digits;
  digits = digits.padStart(minorUnit + 1, "0");
  const text = digits.slice(0, -minorUnit) + "." + digits.slice(-minorUnit);
  return (negative ? "-" : "") + text;
}

const formats = new Map();
export function money(amount, currency, minorUnit, language) {
  if (amount === null || amount === undefined) return "–";
  const key = `${currency}/${minorUnit}/${language || ""}`;
  if (!formats.has(key)) {
    let format = null;
    try {
      format = new Intl.NumberFormat(language || undefined, {
        style: "currency", currency, minimumFractionDigits: minorUnit, maximumFractionDigits: minorUnit,
      });
    } catch (error) {
      format = null; // a code Intl does not know (USDT): plain digits and the code
    }
    formats.set(key, format);
  }
  const format = formats.get(key);
  const text = decimal(amount, minorUnit);
  return format ? format.format(text) : `${text} ${currency}`;
}

export function card(text, hidden = false) {
  if (hidden) return el("div", {class: "card back", "aria-label": "hidden card"});
  const red = /[♥♦]/.test(text);
  return el("div", {class: red ? "card red" : "card", "aria-label": text, dataset: {card: text}}, text);
}
