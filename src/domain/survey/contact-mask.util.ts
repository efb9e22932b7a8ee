/**
 * Masking of owners' contacts (002 第六条.2): roles that need not see them get 王* and
 * 138****0001, and names that enter the audit trail or a document are masked the same way.
 */

/** 王伟 → 王*; 欧阳娜 → 欧**. */
export function maskName(name: string): string {
  const chars = [...name];
  return chars.length <= 1 ? name : chars[0] + '*'.repeat(chars.length - 1);
}

/** 13800000001 → 138****0001; short numbers keep only their last 2 digits. */
export function maskPhone(phone: string): string {
  return phone.replace(/\d[\d-]{5,}\d/g, (digits) => {
    const d = digits.replace(/-/g, '');
    return d.length >= 11 ? `${d.slice(0, 3)}****${d.slice(-4)}` : `${'*'.repeat(d.length - 2)}${d.slice(-2)}`;
  });
}
