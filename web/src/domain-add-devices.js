// The kinds of "Add hardware" (domain-add-hw.js) that go into the
// definition only, beside the serial and channel ones: an input device
// (virt-manager's Input: a tablet, a mouse or a keyboard on usb, ps2 or
// virtio), a USB device of the host (<hostdev type='usb'>, QEMU's
// usb-host: by vendor and product, or by bus and address; the host's
// devices from GET /v1/host/usb-devices, virsh nodedev-list --cap
// usb_device) and a PCI device of the host (<hostdev type='pci'>, VFIO).
// Where the host cannot give a PCI device to a guest (no IOMMU), the
// choice stays offered and the daemon's reason (GET /v1/host
// pci_passthrough_refused) shows by its field; Add is then refused.
import { html } from 'lit';
import { call } from './api.js';
import { addStrings, t } from './i18n.js';

addStrings({
  en: {
    'add.input': 'Input device', 'add.usb': 'USB device of the host', 'add.pci': 'PCI device of the host',
    'add.input.type': 'Type', 'add.input.bus': 'Bus', 'add.input.tablet': 'Tablet (absolute pointer)',
    'add.input.mouse': 'Mouse', 'add.input.keyboard': 'Keyboard',
    'add.input.help': 'A tablet keeps the pointer where the VNC viewer has it; ps2 takes a mouse or a keyboard only.',
    'add.need.ps2': 'A tablet does not exist on ps2: choose usb or virtio.',
    'add.usb.device': 'Device', 'add.usb.byid': 'Another, by vendor and product…',
    'add.usb.none': 'This host has no USB device to give a guest.',
    'add.usb.nobus': 'This host has no USB bus (no /sys/bus/usb/devices): it has no USB device to give a guest.',
    'add.usb.by': 'Identify it by',
    'add.usb.by.id': 'vendor and product (wherever it is plugged in)', 'add.usb.by.addr': 'bus and address (this port, now)',
    'add.usb.vendor': 'Vendor ID', 'add.usb.product': 'Product ID', 'add.usb.help': 'Four hexadecimal digits, as lsusb shows them (046d:c52b).',
    'add.need.usbid': 'Write the vendor and product IDs as four hexadecimal digits each (046d, c52b).',
    'add.need.usbaddr': 'Pick a device of the list to name it by its bus and address.',
    'add.pci.addr': 'PCI address', 'add.pci.help': 'As lspci -D shows it: 0000:01:00.0.',
    'add.need.pciaddr': 'Write the PCI address as domain:bus:slot.function (0000:01:00.0).',
    'add.pci.refused': 'Not on this host: {0}',
    'add.pci.noiommu': 'this host has no IOMMU (/sys/kernel/iommu_groups is empty), so no device can be given to a guest: turn on VT-d or AMD-Vi in the firmware and boot with intel_iommu=on (or amd_iommu=on).',
  },
  es: {
    'add.input': 'Dispositivo de entrada', 'add.usb': 'Dispositivo USB del anfitrión', 'add.pci': 'Dispositivo PCI del anfitrión',
    'add.input.type': 'Tipo', 'add.input.bus': 'Bus', 'add.input.tablet': 'Tableta (puntero absoluto)',
    'add.input.mouse': 'Ratón', 'add.input.keyboard': 'Teclado',
    'add.input.help': 'Una tableta deja el puntero donde lo tiene el visor VNC; ps2 solo admite ratón o teclado.',
    'add.need.ps2': 'No existe una tableta en ps2: elija usb o virtio.',
    'add.usb.device': 'Dispositivo', 'add.usb.byid': 'Otro, por fabricante y producto…',
    'add.usb.none': 'Este anfitrión no tiene ningún dispositivo USB que dar a un invitado.',
    'add.usb.nobus': 'Este anfitrión no tiene bus USB (no hay /sys/bus/usb/devices): no tiene ningún dispositivo USB que dar a un invitado.',
    'add.usb.by': 'Identificarlo por',
    'add.usb.by.id': 'fabricante y producto (esté donde esté conectado)', 'add.usb.by.addr': 'bus y dirección (este puerto, ahora)',
    'add.usb.vendor': 'ID del fabricante', 'add.usb.product': 'ID del producto',
    'add.usb.help': 'Cuatro dígitos hexadecimales, como los muestra lsusb (046d:c52b).',
    'add.need.usbid': 'Escriba los ID de fabricante y producto con cuatro dígitos hexadecimales cada uno (046d, c52b).',
    'add.need.usbaddr': 'Elija un dispositivo de la lista para nombrarlo por su bus y dirección.',
    'add.pci.addr': 'Dirección PCI', 'add.pci.help': 'Como la muestra lspci -D: 0000:01:00.0.',
    'add.need.pciaddr': 'Escriba la dirección PCI como dominio:bus:ranura.función (0000:01:00.0).',
    'add.pci.refused': 'No en este anfitrión: {0}',
    'add.pci.noiommu': 'este anfitrión no tiene IOMMU (/sys/kernel/iommu_groups está vacío), así que no puede dar ningún dispositivo a un invitado: active VT-d o AMD-Vi en el firmware y arranque con intel_iommu=on (o amd_iommu=on).',
  },
});

export const hostKinds = ['input', 'usb', 'pci'];
const inputTypes = ['tablet', 'mouse', 'keyboard'];
const inputBuses = ['usb', 'ps2', 'virtio'];
const BYID = '__id__';
const hex4 = /^(0x)?[0-9a-f]{4}$/i;
const pciAddr = /^([0-9a-f]{4}):([0-9a-f]{2}):([0-9a-f]{2})\.([0-7])$/i;
const hex = (v) => `0x${v.replace(/^0x/i, '').toLowerCase()}`;

// The host's USB devices and the PCI refusal, once per form.
export async function loadHostDevices(el) {
  const [usb, host] = await Promise.all([call('GET', '/v1/host/usb-devices'), call('GET', '/v1/host')]);
  el.usbDevs = usb.usb_devices;
  // The daemon's reasons in the page's words (its own line otherwise).
  el.usbNone = usb.usb_devices.length ? null : /no USB bus/.test(usb.none) ? 'add.usb.nobus' : 'add.usb.none';
  const pci = host.pci_passthrough_refused ?? null;
  el.pciRefused = pci && (/no IOMMU/.test(pci) ? 'add.pci.noiommu' : pci);
  if (!el.usbDev) el.usbDev = el.usbDevs[0]?.name ?? BYID;
}

// Is Add refused before anything is written (a PCI device on a host without an IOMMU)?
export const addRefused = (el) => el.kind === 'pci' && !!el.pciRefused;

// [element, attributes, children] of the chosen kind, or null with errors in `e`.
export function hostDeviceElement(el, e) {
  if (el.kind === 'input') {
    const type = el.inputType ?? 'tablet', bus = el.inputBus ?? 'usb';
    if (type === 'tablet' && bus === 'ps2') { e.inputBus = t('add.need.ps2'); return null; }
    return ['input', { type, bus }, []];
  }
  if (el.kind === 'usb') {
    const dev = el.usbDevs?.find((d) => d.name === el.usbDev);
    if ((el.usbBy ?? 'id') === 'addr') {
      if (!dev) { e.usbDev = t('add.need.usbaddr'); return null; }
      return ['hostdev', { mode: 'subsystem', type: 'usb', managed: 'yes' },
        [['source', {}, [['address', { bus: String(dev.bus), device: String(dev.device) }]]]]];
    }
    const vendor = dev ? dev.vendor_id : el.usbVendor?.trim() ?? '', product = dev ? dev.product_id : el.usbProduct?.trim() ?? '';
    if (!hex4.test(vendor) || !hex4.test(product)) { e.usbId = t('add.need.usbid'); return null; }
    return ['hostdev', { mode: 'subsystem', type: 'usb', managed: 'yes' },
      [['source', {}, [['vendor', { id: hex(vendor) }], ['product', { id: hex(product) }]]]]];
  }
  const m = pciAddr.exec(el.pciAddr?.trim() ?? '');
  if (!m) { e.pciAddr = t('add.need.pciaddr'); return null; }
  const [domain, bus, slot, fn] = m.slice(1).map((x) => `0x${x.toLowerCase()}`);
  return ['hostdev', { mode: 'subsystem', type: 'pci', managed: 'yes' },
    [['source', {}, [['address', { domain, bus, slot, function: fn }]]]]];
}

// The field a refusal of the daemon lands by.
export const hostDeviceField = (el) => ({ input: 'inputBus', usb: el.usbDev === BYID ? 'usbId' : 'usbDev', pci: 'pciAddr' })[el.kind];

const opt = (value, label, selected) => html`<option value=${value} ?selected=${selected}>${label}</option>`;

// The fields of the chosen kind; `set(k, v)` stores a choice, `err(k)` is its error line.
export function hostDeviceFields(el, set, err) {
  if (el.kind === 'input') {
    const type = el.inputType ?? 'tablet', bus = el.inputBus ?? 'usb';
    return html`<div class="field"><label for="add-input-type">${t('add.input.type')}</label>
        <select id="add-input-type" @change=${(ev) => set('inputType', ev.target.value)}>
          ${inputTypes.map((x) => opt(x, t(`add.input.${x}`), x === type))}</select></div>
      <div class="field"><label for="add-input-bus">${t('add.input.bus')}</label>
        <select id="add-input-bus" aria-describedby="add-input-help add-inputBus-error"
          aria-invalid=${el.errors.inputBus ? 'true' : 'false'} @change=${(ev) => set('inputBus', ev.target.value)}>
          ${inputBuses.map((x) => opt(x, x, x === bus))}</select>
        <small class="muted" id="add-input-help">${t('add.input.help')}</small>${err('inputBus')}</div>`;
  }
  if (el.kind === 'usb') {
    const byId = el.usbDev === BYID;
    const name = (d) => `${d.vendor_id.slice(2)}:${d.product_id.slice(2)} ${[d.vendor, d.product].filter(Boolean).join(' ')} (bus ${d.bus}, ${d.device})`;
    return html`${el.usbNone ? html`<p class="notice" data-testid="add-usb-none">${t(el.usbNone)}</p>` : ''}
      <div class="field"><label for="add-usb-dev">${t('add.usb.device')}</label>
        <select id="add-usb-dev" aria-describedby="add-usbDev-error" @change=${(ev) => set('usbDev', ev.target.value)}>
          ${(el.usbDevs ?? []).map((d) => opt(d.name, name(d), d.name === el.usbDev))}
          ${opt(BYID, t('add.usb.byid'), byId)}</select>${err('usbDev')}</div>
      ${byId ? html`<div class="field"><label for="add-usb-vendor">${t('add.usb.vendor')}</label>
          <input id="add-usb-vendor" .value=${el.usbVendor ?? ''} placeholder="046d" autocomplete="off" spellcheck="false"
            aria-describedby="add-usb-help add-usbId-error" aria-invalid=${el.errors.usbId ? 'true' : 'false'}
            @input=${(ev) => set('usbVendor', ev.target.value)}></div>
        <div class="field"><label for="add-usb-product">${t('add.usb.product')}</label>
          <input id="add-usb-product" .value=${el.usbProduct ?? ''} placeholder="c52b" autocomplete="off" spellcheck="false"
            aria-describedby="add-usb-help add-usbId-error" aria-invalid=${el.errors.usbId ? 'true' : 'false'}
            @input=${(ev) => set('usbProduct', ev.target.value)}>
          <small class="muted" id="add-usb-help">${t('add.usb.help')}</small>${err('usbId')}</div>`
      : html`<div class="field"><label for="add-usb-by">${t('add.usb.by')}</label>
          <select id="add-usb-by" @change=${(ev) => set('usbBy', ev.target.value)}>
            ${['id', 'addr'].map((x) => opt(x, t(`add.usb.by.${x}`), x === (el.usbBy ?? 'id')))}</select></div>`}`;
  }
  return html`<div class="field"><label for="add-pci-addr">${t('add.pci.addr')}</label>
    <input id="add-pci-addr" .value=${el.pciAddr ?? ''} placeholder="0000:01:00.0" autocomplete="off" spellcheck="false"
      aria-describedby="add-pci-help add-pci-refused add-pciAddr-error" aria-invalid=${el.errors.pciAddr ? 'true' : 'false'}
      @input=${(ev) => set('pciAddr', ev.target.value)}>
    <small class="muted" id="add-pci-help">${t('add.pci.help')}</small>
    ${el.pciRefused ? html`<p class="notice" id="add-pci-refused" data-testid="add-pci-refused">${t('add.pci.refused', el.pciRefused.startsWith('add.') ? t(el.pciRefused) : el.pciRefused)}</p>` : ''}
    ${err('pciAddr')}</div>`;
}
