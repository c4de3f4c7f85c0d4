/** The console's sections, in the order the nav shows them. */
export const SECTIONS = [
  { href: '/', label: 'Dashboard' },
  { href: '/products', label: 'Products' },
  { href: '/categories', label: 'Categories' },
  { href: '/inventory', label: 'Inventory' },
  { href: '/orders', label: 'Orders' },
  { href: '/customers', label: 'Customers' },
  { href: '/discount-codes', label: 'Discount codes' },
  { href: '/notifications', label: 'Notifications' },
  { href: '/audit-log', label: 'Audit log' },
] as const;
