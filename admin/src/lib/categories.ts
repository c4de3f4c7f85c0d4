import 'server-only';
import { graphql } from '@/graphql/generated';
import { executeGraphQL } from './graphql';

const AdminCategoryTreeQuery = graphql(`
  query AdminCategoryTree {
    categories(first: 100) {
      totalCount
      edges {
        node {
          id
          name
          slug
          position
          version
          children(first: 100) {
            edges {
              node {
                id
                name
                slug
                position
                version
                children(first: 100) {
                  edges {
                    node {
                      id
                      name
                      slug
                      position
                      version
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
  }
`);

export interface CategoryOption {
  id: string;
  name: string;
  slug: string;
  depth: number;
  parentId: string | null;
  position: number;
  version: number;
  /** "Apparel › Jackets". */
  path: string;
}

/** The category tree (three levels) flattened in display order, for selects and the Categories section. */
export async function categoryOptions(token: string): Promise<CategoryOption[]> {
  const { categories } = await executeGraphQL(AdminCategoryTreeQuery, { accessToken: token });
  const out: CategoryOption[] = [];
  for (const { node: top } of categories.edges) {
    out.push({ id: top.id, name: top.name, slug: top.slug, depth: 0, path: top.name, parentId: null, position: top.position, version: top.version });
    for (const { node: child } of top.children.edges) {
      out.push({ id: child.id, name: child.name, slug: child.slug, depth: 1, path: `${top.name} › ${child.name}`, parentId: top.id, position: child.position, version: child.version });
      for (const { node: leaf } of child.children.edges) {
        out.push({ id: leaf.id, name: leaf.name, slug: leaf.slug, depth: 2, path: `${top.name} › ${child.name} › ${leaf.name}`, parentId: child.id, position: leaf.position, version: leaf.version });
      }
    }
  }
  return out;
}
