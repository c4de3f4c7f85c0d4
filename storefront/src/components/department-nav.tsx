import Link from 'next/link';
import { getDepartments } from '@/lib/catalog/data';

/** The header's department links (top-level categories); the read is cached and shared with the home page. */
export async function DepartmentNav() {
  const departments = await getDepartments().catch(() => []);
  if (!departments.length) return null;
  return (
    <nav className="department-nav" aria-label="Departments">
      <ul>
        {departments.map((department) => (
          <li key={department.id}>
            <Link href={`/c/${department.slug}`}>{department.name}</Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
