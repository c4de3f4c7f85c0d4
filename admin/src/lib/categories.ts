import 'server-only';
import { graphql } from '@/graphql/generated';
import { executeGraphQL } from './graphql';

const AdminTopCategoriesQuery = graphql(`
  query AdminTopCategories {
    categories(first: 100) {
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
`);

const AdminCategoryChildrenQuery = graphql(`
  query AdminCategoryChildren($id: ID!) {
    category(id: $id) {
      id
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

/** The tree's levels the console shows (the storefront's departments, their categories, and those's subcategories). */
const DEPTHS = 3;

/**
 * The category tree (three levels) flattened in display order, for selects
 * and the Categories section. Read a level at a time, each level's children
 * in parallel: one query for the whole tree would ask for 100 × 100 × 100
 * places, far over the router's cost limit, while the tree itself is small.
 */
export async function categoryOptions(token: string): Promise<CategoryOption[]> {
  const { categories } = await executeGraphQL(AdminTopCategoriesQuery, { accessToken: token });
  const top: CategoryOption[] = categories.edges.map(({ node }) => ({ ...node, depth: 0, parentId: null, path: node.name }));
  const childrenOf = new Map<string, CategoryOption[]>();
  let level = top;
  for (let depth = 1; depth < DEPTHS && level.length > 0; depth += 1) {
    const answers = await Promise.all(level.map((parent) => executeGraphQL(AdminCategoryChildrenQuery, { variables: { id: parent.id }, accessToken: token })));
    const next: CategoryOption[] = [];
    answers.forEach((answer, index) => {
      const parent = level[index] as CategoryOption;
      const children = (answer.category?.children.edges ?? []).map(({ node }) => ({
        ...node,
        depth,
        parentId: parent.id,
        path: `${parent.path} › ${node.name}`,
      }));
      childrenOf.set(parent.id, children);
      next.push(...children);
    });
    level = next;
  }
  const out: CategoryOption[] = [];
  const visit = (option: CategoryOption) => {
    out.push(option);
    for (const child of childrenOf.get(option.id) ?? []) visit(child);
  };
  for (const option of top) visit(option);
  return out;
}
